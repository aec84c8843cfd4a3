"""Plain Python values to and from DynamoDB's typed attributes, and the transaction call."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from oms import aws
from oms.errors import TransientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def value(v: Any) -> dict[str, Any]:
    return dict(_serializer.serialize(v))


def db() -> Any:
    return aws.client("dynamodb")


def is_transient(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _TRANSIENT


def transact(items: list[dict[str, Any]]) -> None:
    """One all-or-nothing write; throttling becomes TransientError so the step is retried."""
    try:
        db().transact_write_items(TransactItems=items)
    except ClientError as error:
        if is_transient(error):
            raise TransientError(str(error)) from error
        raise


def cancellation_codes(error: ClientError) -> list[str]:
    """Why each item of a cancelled transaction failed, in item order ('None' where it did not)."""
    reasons = error.response.get("CancellationReasons") or []
    return [r.get("Code", "None") for r in reasons]


def query_all(**kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = db().query(**kwargs)
        items.extend(from_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
