"""Plain Python values to and from DynamoDB's typed attributes, the client, and what its errors mean.

Under contention DynamoDB cancels a transaction with `TransactionConflict` and throttles hot keys;
both say "try again". A throttled call, a 5xx or a failed connection leaves the client as the domain's
TransientError already (`oms.aws`); a transaction cancelled for a reason that may pass is one too:
a state-machine step retries it with backoff, an API call retries it a few times in place.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from oms import aws
from oms.errors import TransientError
from oms.repository.attributes import plain, typed

# Cancellation reasons of a transaction that may succeed as it is.
_TRANSIENT_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
_CONDITION_FAILED = "ConditionalCheckFailed"


class Cancelled(Exception):
    """A transaction refused by its conditions; `failed(i)` says whether item i's condition failed."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes

    def failed(self, index: int) -> bool:
        return index < len(self.codes) and self.codes[index] == _CONDITION_FAILED

    def failed_any(self, indexes: range | list[int]) -> bool:
        return any(self.failed(index) for index in indexes)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: typed(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in item.items()}


def value(v: Any) -> dict[str, Any]:
    return typed(v)


error_code = aws.error_code


def _cancellation_codes(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    return [r.get("Code") or "None" for r in reasons]


def db() -> Any:
    """The DynamoDB client; its transient failures are TransientError (`oms.aws`)."""
    return aws.client("dynamodb")


def transact(items: list[dict[str, Any]]) -> None:
    """One all-or-nothing write: Cancelled when a condition refused it, TransientError when it may pass
    if tried again (a conflicting transaction, throttling)."""
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as error:
        code = error_code(error)
        if code == "TransactionCanceledException":
            codes = _cancellation_codes(error)
            # A failed condition decides the outcome whatever else happened: retrying cannot pass it.
            if _CONDITION_FAILED not in codes and _TRANSIENT_REASONS.intersection(codes):
                raise TransientError(f"transaction cancelled: {', '.join(codes)}") from error
            raise Cancelled(codes) from error
        raise


Result = TypeVar("Result")
RETRY_ATTEMPTS = 3
_BACKOFF_SECONDS = 0.02


# A scheduler's target tries harder in place: Lambda retries its asynchronous event only twice, and an
# event that fails for good is a deadline or a feedback request nobody acts on.
TIMER_ATTEMPTS = 6


def retried(call: Callable[[], Result], attempts: int = RETRY_ATTEMPTS) -> Result:
    """Run `call`, trying again on TransientError with a short jittered backoff; for API requests,
    which a client waits on, and a timer's work (a state-machine step leaves retrying to the state
    machine). `call` must be safe to run again after a partial run, as every handler is."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except TransientError:
            if attempt == attempts:
                raise
            time.sleep(_BACKOFF_SECONDS * 2**attempt * random.uniform(0.5, 1.5))  # noqa: S311 - jitter
    raise AssertionError("unreachable")


def query_all(**kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = db().query(**kwargs)
        items.extend(from_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
