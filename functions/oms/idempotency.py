"""Work done once per Idempotency-Key for 24 hours, as POST /orders and POST /inventory/receipts honour it:
the same key and payload answer the first result again; the same key with another payload is
409 idempotency_conflict; a duplicate that arrives while the first still runs is 409 request_in_progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from oms import aws
from oms.errors import IdempotencyConflict, RequestInProgress
from oms.settings import settings

IDEMPOTENCY_SECONDS = 24 * 3600
# The work gets the payload and the key it is done once for.
Work = Callable[[dict[str, Any], str], dict[str, Any]]


class OncePerKey:
    """`work(payload, key)` run once per key; `name` tells one kind of work's records from another's."""

    def __init__(self, name: str, payload: str, work: Work, in_progress: str) -> None:
        self._name, self._payload, self._work, self._in_progress = name, payload, work, in_progress
        self._config = IdempotencyConfig(
            event_key_jmespath="key", payload_validation_jmespath=payload, expires_after_seconds=IDEMPOTENCY_SECONDS
        )
        self._keyed: Callable[..., dict[str, Any]] | None = None

    def _once(self) -> Callable[..., dict[str, Any]]:
        # Made on first use: the persistence table is named by the function's settings.
        if self._keyed is None:
            store = DynamoDBPersistenceLayer(
                table_name=settings().idempotency_table, boto3_client=aws.client("dynamodb")
            )

            def keyed(request: dict[str, Any]) -> dict[str, Any]:
                return self._work(request[self._payload], request["key"])

            # Powertools keys its records by the function's module and name: one name per kind of work.
            keyed.__qualname__ = keyed.__name__ = self._name
            self._keyed = idempotent_function(
                data_keyword_argument="request", config=self._config, persistence_store=store
            )(keyed)
        return self._keyed

    def __call__(self, key: str, payload: dict[str, Any], lambda_context: Any = None) -> dict[str, Any]:
        if lambda_context is not None:
            self._config.register_lambda_context(lambda_context)
        try:
            return self._once()(request={"key": key, self._payload: payload})
        except IdempotencyValidationError as error:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with another body.",
                [{"field": "Idempotency-Key", "message": "used before with another body"}],
            ) from error
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgress(self._in_progress) from error
