"""Stock per SKU and location in the Inventory table: counts, and the writes that move them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from oms.repository import keys
from oms.repository.dynamo import db, error_code, query_all, to_item, value
from oms.settings import settings


def stock(skus: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """`{sku: {location: {"on_hand", "reserved", "available"}}}`, read consistently."""
    result: dict[str, dict[str, dict[str, int]]] = {}
    for sku in sorted(set(skus)):
        items = query_all(
            TableName=settings().inventory_table,
            ConsistentRead=True,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :loc)",
            ExpressionAttributeValues={":pk": value(keys.sku_pk(sku)), ":loc": value("LOC#")},
        )
        result[sku] = {
            i["location"]: {"on_hand": i["on_hand"], "reserved": i["reserved"], "available": i["available"]}
            for i in items
        }
    return result


def set_on_hand(sku: str, location: str, on_hand: int) -> bool:
    """A stocktake: the count becomes `on_hand`; what is reserved stays reserved. False, and nothing
    written, when more than `on_hand` is reserved there."""
    try:
        db().update_item(
            TableName=settings().inventory_table,
            Key=to_item(keys.stock(sku, location)),
            UpdateExpression="SET on_hand = :n, available = :n - if_not_exists(reserved, :zero), "
            "reserved = if_not_exists(reserved, :zero), sku = :sku, #loc = :loc",
            ConditionExpression="attribute_not_exists(reserved) OR reserved <= :n",
            ExpressionAttributeNames={"#loc": "location"},
            ExpressionAttributeValues=to_item({":n": on_hand, ":zero": 0, ":sku": sku, ":loc": location}),
        )
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def receive(sku: str, location: str, quantity: int) -> None:
    """Units received: `on_hand` and `available` grow by `quantity` in one update, `reserved` unchanged."""
    db().update_item(
        TableName=settings().inventory_table,
        Key=to_item(keys.stock(sku, location)),
        UpdateExpression="SET on_hand = if_not_exists(on_hand, :zero) + :q, "
        "available = if_not_exists(available, :zero) + :q, reserved = if_not_exists(reserved, :zero), "
        "sku = :sku, #loc = :loc",
        ExpressionAttributeNames={"#loc": "location"},
        ExpressionAttributeValues=to_item({":q": quantity, ":zero": 0, ":sku": sku, ":loc": location}),
    )


def _backorders(sku: str) -> list[dict[str, Any]]:
    return query_all(
        TableName=settings().inventory_table,
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :b)",
        ExpressionAttributeValues={":pk": value(keys.sku_pk(sku)), ":b": value(keys.BACKORDER_PREFIX)},
    )


def backordered(sku: str) -> int:
    """The units of `sku` that orders hold on backorder."""
    return sum(int(item["quantity"]) for item in _backorders(sku))


def waiting(sku: str) -> list[tuple[str, str]]:
    """(since, order id) of every order waiting for `sku`, oldest first."""
    return [(str(item["at"]), str(item["order_id"])) for item in _backorders(sku)]


def backorder_item(sku: str, order_id: str, quantity: int, since: str) -> dict[str, Any]:
    """The transaction item that keeps an order's `quantity` units of `sku` in the SKU's queue, behind
    the orders waiting since before `since`; a quantity of 0 takes the order out of that queue."""
    key = keys.backorder(sku, since, order_id)
    if quantity <= 0:
        return {"Delete": {"TableName": settings().inventory_table, "Key": to_item(key)}}
    item = {**key, "sku": sku, "order_id": order_id, "quantity": quantity, "at": since}
    return {"Put": {"TableName": settings().inventory_table, "Item": to_item(item)}}


def clear_backorders(order_id: str, skus: list[str]) -> None:
    """Take an order out of the backorder queues of `skus`: it no longer waits for them."""
    for sku in sorted(set(skus)):
        for item in _backorders(sku):
            if item["order_id"] == order_id:
                db().delete_item(
                    TableName=settings().inventory_table, Key=to_item({"PK": item["PK"], "SK": item["SK"]})
                )


def _update(
    sku: str, location: str, expression: str, condition: str | None, quantity: int, *, zero: bool = False
) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": settings().inventory_table,
        "Key": to_item(keys.stock(sku, location)),
        "UpdateExpression": expression,
        "ExpressionAttributeValues": to_item({":q": quantity, **({":zero": 0} if zero else {})}),
    }
    if condition:
        update["ConditionExpression"] = condition
    return {"Update": update}


class StockAction(StrEnum):
    RESERVE = "reserve"  # units promised to a shipment: out of `available`, into `reserved`
    RELEASE = "release"  # a promise withdrawn: back from `reserved` to `available`
    SHIP = "ship"  # reserved units leave the building: out of `reserved` and `on_hand`
    # Units whose reservation was already released leave anyway (a ship that raced its cancellation).
    SHIP_UNRESERVED = "ship_unreserved"
    # A location said it has none: the promise is withdrawn and on_hand becomes what other shipments hold.
    NOT_THERE = "not_there"


class StockMove(NamedTuple):
    action: StockAction
    sku: str
    location: str
    quantity: int


def move_item(move: StockMove) -> dict[str, Any]:
    """The transaction item of one stock move."""
    return _MOVES[move.action](move.sku, move.location, move.quantity)


def reserve(sku: str, location: str, quantity: int) -> dict[str, Any]:
    """A transaction item that reserves units, refused if fewer are available: never oversold."""
    return _update(
        sku, location, "SET reserved = reserved + :q, available = available - :q", "available >= :q", quantity
    )


def release(sku: str, location: str, quantity: int) -> dict[str, Any]:
    return _update(
        sku, location, "SET reserved = reserved - :q, available = available + :q", "reserved >= :q", quantity
    )


def ship(sku: str, location: str, quantity: int) -> dict[str, Any]:
    """Shipped units leave the building: out of on_hand and reserved, `available` unchanged."""
    return _update(sku, location, "SET reserved = reserved - :q, on_hand = on_hand - :q", "reserved >= :q", quantity)


def ship_unreserved(sku: str, location: str, quantity: int) -> dict[str, Any]:
    """Units shipped after their reservation was released: out of on_hand and available. No
    condition: the parcel has left whatever the counts say."""
    return _update(sku, location, "SET available = available - :q, on_hand = on_hand - :q", None, quantity)


def not_there(sku: str, location: str, quantity: int) -> dict[str, Any]:
    """A location reports it has no more units than other shipments hold: this shipment's reservation is
    withdrawn and `on_hand` is corrected to what stays reserved, so nothing is available there. (Each
    right-hand side reads the item as it was before the update, so `on_hand` takes the new `reserved`.)"""
    return _update(
        sku,
        location,
        "SET on_hand = reserved - :q, reserved = reserved - :q, available = :zero",
        "reserved >= :q",
        quantity,
        zero=True,
    )


_MOVES = {
    StockAction.RESERVE: reserve,
    StockAction.RELEASE: release,
    StockAction.SHIP: ship,
    StockAction.SHIP_UNRESERVED: ship_unreserved,
    StockAction.NOT_THERE: not_there,
}
