"""Webhook delivery attempts: one item per attempt under its target's partition, read newest first."""

from __future__ import annotations

from typing import Any

from oms.repository import cursors, keys
from oms.repository.dynamo import db, from_item, to_item, value
from oms.settings import settings

# Attempts are kept for a month, then DynamoDB's TTL removes them.
KEEP_SECONDS = 30 * 24 * 3600


def record(partner_id: str | None, attempt: dict[str, Any], expires_at: int) -> None:
    """Record one attempt (`event_id`, `at`, `attempt` and what came of it); the same attempt again
    overwrites itself."""
    key = keys.webhook_attempt(partner_id, attempt["at"], attempt["event_id"], attempt["attempt"])
    db().put_item(TableName=settings().orders_table, Item=to_item({**key, **attempt, "expires_at": expires_at}))


def page(partner_id: str | None, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a target's attempts, newest first, and the next page's cursor; BadCursor for a cursor this
    API did not give out for the same target."""
    partition = keys.webhook_target(partner_id)
    kwargs: dict[str, Any] = {
        "TableName": settings().orders_table,
        "Limit": limit,
        "ScanIndexForward": False,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": value(partition), ":prefix": value(keys.ATTEMPT_PREFIX)},
    }
    if cursor:
        kwargs["ExclusiveStartKey"] = cursors.decode_table_key(cursor, partition)
    found = db().query(**kwargs)
    attempts = [
        {k: v for k, v in from_item(item).items() if k not in ("PK", "SK", "expires_at")}
        for item in found.get("Items", [])
    ]
    return attempts, cursors.encode(found.get("LastEvaluatedKey"))
