"""Stock per SKU and location in the Inventory table: counts, the backorder queues, and the moves orders make
(reservations, releases, shipments, out-of-stock corrections), each change of `on_hand` with its ledger
entry (`oms.repository.ledger`) in the same transaction. Receipts and stocktakes are `oms.repository.counts`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any, NamedTuple

from oms.repository import keys, ledger
from oms.repository.counts import Counts, counts, set_counts
from oms.repository.dynamo import db, query_all, to_item, value
from oms.repository.ledger import Cause, Movement
from oms.settings import settings
from oms.statuses import MovementKind


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


def _update(sku: str, location: str, expression: str, condition: str | None, quantity: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": settings().inventory_table,
        "Key": to_item(keys.stock(sku, location)),
        "UpdateExpression": expression,
        "ExpressionAttributeValues": to_item({":q": quantity}),
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
    # A location said it has none: the promise is withdrawn and on_hand becomes what other shipments hold,
    # written from the counts read (Counts.not_there), on condition that they did not move meanwhile.
    NOT_THERE = "not_there"


class StockMove(NamedTuple):
    action: StockAction
    sku: str
    location: str
    quantity: int
    # The location's counts as read, for a move whose write depends on them (NOT_THERE).
    seen: Counts | None = None

    def stored(self) -> list[Any]:
        """The move as a shipment keeps it while pending (its counts are read again when it is applied)."""
        return [self.action.value, self.sku, self.location, self.quantity]


def pending_move(stored: list[Any]) -> StockMove:
    action, sku, location, quantity = stored
    return StockMove(StockAction(action), str(sku), str(location), int(quantity))


# Moves that change on_hand, each recorded in the ledger with its write, and the movement's kind.
_RECORDED = {
    StockAction.SHIP: MovementKind.SHIPMENT,
    StockAction.SHIP_UNRESERVED: MovementKind.SHIPMENT,
    StockAction.NOT_THERE: MovementKind.OUT_OF_STOCK,
}


def move_item(move: StockMove) -> dict[str, Any]:
    """The transaction item of a move that leaves on_hand alone (a reservation or its release)."""
    if move.action in _RECORDED:
        raise ValueError(f"a {move.action} move changes on_hand: its writes are stock_writes(...)")
    return _MOVES[move.action](move.sku, move.location, move.quantity)


def writes_of(move: StockMove) -> int:
    """How many transaction items the move takes: its update, and its ledger entry if it changes on_hand."""
    return 2 if move.action in _RECORDED else 1


def fitting(moves: Sequence[StockMove], room: int) -> int:
    """How many of `moves`, from the first, fit in `room` transaction items."""
    used = 0
    for taken, move in enumerate(moves):
        used += writes_of(move)
        if used > room:
            return taken
    return len(moves)


def chunks(moves: Sequence[StockMove], room: int) -> list[Sequence[StockMove]]:
    """`moves` in order, cut into chunks of at most `room` transaction items each; the same moves always cut
    the same way, so a chunk's number names the same moves for every attempt."""
    cut: list[Sequence[StockMove]] = []
    while moves:
        taken = max(1, fitting(moves, room))
        cut.append(moves[:taken])
        moves = moves[taken:]
    return cut


def with_counts(moves: Sequence[StockMove]) -> list[StockMove]:
    """`moves` with the counts read now for each that depends on them."""
    return [
        move._replace(seen=counts(move.sku, move.location)) if move.action == StockAction.NOT_THERE else move
        for move in moves
    ]


class StockWrites(NamedTuple):
    items: list[dict[str, Any]]
    counted: list[int]  # positions of writes refused if the location's counts moved since they were read


def stock_writes(moves: Sequence[StockMove], cause: Cause | None, offset: int = 0) -> StockWrites:
    """The transaction items of `moves` (to sit at `offset` in their transaction): each one's update, and for
    a move that changes on_hand its ledger entry, named by `cause` (a shipment's move)."""
    items: list[dict[str, Any]] = []
    counted: list[int] = []
    for move in moves:
        kind = _RECORDED.get(move.action)
        if kind is None:
            items.append(move_item(move))
            continue
        if cause is None:
            raise ValueError(f"a {move.action} move is recorded in the ledger: it needs its cause")
        update, movement = _recorded_move(move, Movement(move.sku, move.location, kind, cause, -move.quantity))
        if move.action == StockAction.NOT_THERE:
            counted.append(offset + len(items))
        items.extend([update, ledger.entry(movement)])
    return StockWrites(items, counted)


def _recorded_move(move: StockMove, shipped: Movement) -> tuple[dict[str, Any], Movement]:
    """The update of a move that changes on_hand, and its movement (`shipped`, unless the counts set it)."""
    if move.action == StockAction.NOT_THERE:
        if move.seen is None:
            raise ValueError("a NOT_THERE move is written from the counts read: with_counts(...) first")
        after = move.seen.not_there(move.quantity)
        corrected = replace(shipped, delta=after.on_hand - move.seen.on_hand, on_hand=after.on_hand)
        return set_counts(move.sku, move.location, after, move.seen), corrected
    unreserved = move.action == StockAction.SHIP_UNRESERVED
    update = _MOVES[move.action](move.sku, move.location, move.quantity)
    return update, replace(shipped, after_cancellation=unreserved)


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


_MOVES = {
    StockAction.RESERVE: reserve,
    StockAction.RELEASE: release,
    StockAction.SHIP: ship,
    StockAction.SHIP_UNRESERVED: ship_unreserved,
}
