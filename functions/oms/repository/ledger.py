"""The stock ledger: one movement per change of a location's `on_hand`, put in the transaction that makes the
change and named by its cause, so the same cause never records (nor moves stock) twice.

A location's `on_hand` is the sum of its movements' `delta`s: the seed's opening count, receipts,
stocktakes, shipments and out-of-stock corrections. Reservations move `reserved` and `available` only and
record nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oms.repository import cursors, keys
from oms.repository.dynamo import db, from_item, to_item, value
from oms.settings import settings
from oms.statuses import MovementKind

# Who caused a movement, as an operator looks it up: what each kind of cause carries.
CAUSE_IDS = ("request_id", "idempotency_key", "order_id", "shipment_id", "event_id")


@dataclass(frozen=True)
class Cause:
    """Why stock moved. `name` is unique to the cause among movements of its kind at one location (a
    request id, an Idempotency-Key, a shipment id): the same cause, delivered again, names the same
    movement. `ids` are what it is looked up by (`CAUSE_IDS`)."""

    name: str
    at: str
    ids: Mapping[str, str] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """The cause as a shipment keeps it with its pending stock moves."""
        return {"name": self.name, "at": self.at, "ids": dict(self.ids)}

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Cause:
        return cls(str(stored["name"]), str(stored["at"]), {k: str(v) for k, v in (stored.get("ids") or {}).items()})


@dataclass(frozen=True)
class Movement:
    sku: str
    location: str
    kind: MovementKind
    cause: Cause
    delta: int
    on_hand: int | None = None  # after the movement, when the writer knows it (it read the count)
    after_cancellation: bool = False  # units that shipped after OMS had cancelled their shipment

    @property
    def movement_id(self) -> str:
        return movement_id(self.kind, self.cause)


def movement_id(kind: MovementKind, cause: Cause) -> str:
    """A movement's id at its SKU and location: the same kind and cause, the same id."""
    return f"{kind.value}#{cause.name}"


def entry(movement: Movement) -> dict[str, Any]:
    """The transaction item that records `movement`, refused if its cause already recorded one there."""
    item = {
        **keys.movement(movement.sku, movement.location, movement.movement_id),
        **keys.ledger_index(movement.sku, movement.location, movement.cause.at, movement.movement_id),
        "type": "MOVEMENT",
        "movement_id": movement.movement_id,
        "sku": movement.sku,
        "location": movement.location,
        "kind": movement.kind.value,
        "delta": movement.delta,
        "on_hand": movement.on_hand,
        "at": movement.cause.at,
        **{name: movement.cause.ids[name] for name in CAUSE_IDS if movement.cause.ids.get(name)},
        **({"after_cancellation": True} if movement.after_cancellation else {}),
    }
    return {
        "Put": {
            "TableName": settings().inventory_table,
            "Item": to_item(item),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def recorded(sku: str, location: str, kind: MovementKind, cause: Cause) -> dict[str, Any] | None:
    """The movement of `kind` that `cause` recorded at `location`, read consistently; None if there is none."""
    found = db().get_item(
        TableName=settings().inventory_table,
        Key=to_item(keys.movement(sku, location, movement_id(kind, cause))),
        ConsistentRead=True,
    )
    return from_item(found["Item"]) if "Item" in found else None


def page(sku: str, location: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a location's movements of `sku`, newest first, and the next page's cursor; BadCursor for a
    cursor this API did not give out for that SKU and location. The index can trail a write by a moment."""
    partition = keys.ledger(sku, location)
    partition_key = keys.INDEX_KEYS[keys.LEDGER_INDEX][0]
    kwargs: dict[str, Any] = {
        "TableName": settings().inventory_table,
        "IndexName": keys.LEDGER_INDEX,
        "Limit": limit,
        "ScanIndexForward": False,
        "KeyConditionExpression": "#partition = :partition",
        "ExpressionAttributeNames": {"#partition": partition_key},
        "ExpressionAttributeValues": {":partition": value(partition)},
    }
    if cursor:
        kwargs["ExclusiveStartKey"] = cursors.decode(cursor, keys.LEDGER_INDEX, partition)
    found = db().query(**kwargs)
    return [from_item(item) for item in found.get("Items", [])], cursors.encode(found.get("LastEvaluatedKey"))
