"""The writes that move an order and its stock together, all or nothing, and what each outcome means.

Callers learn what happened as a value (committed, already done, stock moved...), never by decoding
a transaction's cancellation reasons: those are read here, where the order of the items is known.
An allocation round goes through `oms.repository.rounds`, which splits one too big for a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from oms import clock
from oms.records import QueueChange, StoredLine, StoredOrder, StoredShipment
from oms.repository import inventory, keys, round_plan
from oms.repository import orders as repo
from oms.repository.dynamo import Cancelled, db, retried, to_item, transact
from oms.repository.inventory import StockAction, StockMove
from oms.repository.rounds import TRANSACTION_LIMIT, AllocationCommit, commit_round
from oms.statuses import OrderState


class PartnerEventOutcome(StrEnum):
    APPLIED = "applied"
    REPEATED = "repeated"  # the partner sent this event_id before
    SHIPMENT_MOVED = "shipment_moved"  # the shipment's status changed since it was read: judge again


def commit_allocation(
    order: StoredOrder,
    lines: Sequence[StoredLine],
    shipments: Sequence[StoredShipment],
    reservations: Sequence[StockMove],
    queue: Sequence[QueueChange],
    timeline: Sequence[tuple[str, dict[str, Any]]],
    at: str,
) -> AllocationCommit:
    """Write one allocation round: the order's lines, the stock it reserves, the shipments that carry
    it, its places in the SKUs' backorder queues and its timeline entries, refused unless the order is
    still at the round it was read at (in chunks when it is too big for one transaction)."""
    header = {
        "state": OrderState.ALLOCATED.value,
        "lines": [line.model_dump() for line in lines],
        "updated_at": at,
        "shipment_count": order.shipment_count + len(shipments),
    }
    # A round too big for one transaction writes its last items with the commit: the timeline (hidden
    # until then anyway) first, then what is read from outside the order, the queues and shipments.
    items = [
        *(repo.event_item(order.order_id, kind, detail, at) for kind, detail in timeline),
        *(inventory.backorder_item(x.sku, order.order_id, x.quantity, x.since) for x in queue),
        *(repo.shipment_put(shipment) for shipment in shipments),
    ]
    return commit_round(order.order_id, order.allocation_round, header, reservations, items)


def partner_event_seen(partner_id: str, event_id: str) -> bool:
    found = (
        db()
        .get_item(TableName=repo.table(), Key=to_item(keys.partner_event(partner_id, event_id)), ConsistentRead=True)
        .get("Item")
    )
    return found is not None


def apply_partner_event(
    partner_id: str,
    event_id: str,
    shipment: StoredShipment,
    changes: dict[str, Any],
    stock: Sequence[StockMove],
    timeline: tuple[str, dict[str, Any]],
    order: tuple[StoredOrder, dict[str, Any]] | None = None,
) -> PartnerEventOutcome:
    """Apply a partner's event once: its mark, the shipment's move (refused if the shipment moved since
    it was read), the stock it moves, its timeline entry and, for a move that changes the order's lines
    (a rejection), the order's header as a round of its own (refused if another round got there first)."""
    mark = {
        **keys.partner_event(partner_id, event_id),
        "type": "PARTNER_EVENT",
        "order_id": shipment.order_id,
        "shipment_id": shipment.shipment_id,
        "at": clock.iso(),
    }
    now, changes = _split_stock(changes, stock, 4 if order is not None else 3)
    items = [
        {"Put": {"TableName": repo.table(), "Item": to_item(mark), "ConditionExpression": "attribute_not_exists(PK)"}},
        repo.shipment_move(shipment, changes),
        *(inventory.move_item(move) for move in now),
        repo.event_item(shipment.order_id, *timeline),
    ]
    if order is not None:
        read, header = order
        items.append(round_plan.at_once(read.order_id, read.allocation_round, header))
    try:
        retried(lambda: transact(items))
    except Cancelled as refused:
        if refused.failed(0):
            return PartnerEventOutcome.REPEATED
        if refused.failed(1) or (order is not None and refused.failed(len(items) - 1)):
            return PartnerEventOutcome.SHIPMENT_MOVED
        raise
    finish_stock(shipment.order_id, shipment.shipment_id)
    return PartnerEventOutcome.APPLIED


def cancel_shipment(shipment: StoredShipment, changes: dict[str, Any], release: Sequence[StockMove]) -> bool:
    """Cancel a shipment OMS can still cancel and release what it holds; False if it moved meanwhile."""
    now, changes = _split_stock(changes, release, 1)
    try:
        transact([repo.shipment_move(shipment, changes), *(inventory.move_item(move) for move in now)])
    except Cancelled as refused:
        if refused.failed(0):
            return False
        raise
    finish_stock(shipment.order_id, shipment.shipment_id)
    return True


# A shipment's move takes its stock with it in one transaction when it fits. A shipment of more lines than
# that records the moves left over on the shipment (`stock_pending`) in that same transaction, and they are
# applied right after in chunks, each exactly once (its number kept in `stock_done` in its own
# transaction). A step that dies in between leaves them recorded, and whoever touches the shipment next
# (the partner's retry, a cancellation, compensation) finishes them.


def _split_stock(
    changes: dict[str, Any], stock: Sequence[StockMove], others: int
) -> tuple[Sequence[StockMove], dict[str, Any]]:
    room = TRANSACTION_LIMIT - others
    if len(stock) <= room:
        return stock, changes
    return stock[:room], {**changes, "stock_pending": [list(move) for move in stock[room:]]}


def finish_stock(order_id: str, shipment_id: str) -> None:
    """Apply the stock moves a shipment's move left pending, each chunk once."""
    item = repo.shipment_item(order_id, shipment_id)
    if not item or not item.get("stock_pending"):
        return
    moves = [StockMove(StockAction(a), str(sku), str(loc), int(q)) for a, sku, loc, q in item["stock_pending"]]
    done = set(item.get("stock_done") or ())
    chunk = TRANSACTION_LIMIT - 1
    for start in range(0, len(moves), chunk):
        number = str(start // chunk)
        if number in done:
            continue
        try:
            transact(
                [
                    *(inventory.move_item(m) for m in moves[start : start + chunk]),
                    repo.stock_chunk_done(order_id, shipment_id, number),
                ]
            )
        except Cancelled as refused:
            if not refused.failed(len(moves[start : start + chunk])):
                raise
    repo.clear_stock_pending(order_id, shipment_id)


def commit_cancellation(
    order: StoredOrder,
    lines: Sequence[StoredLine],
    queue: Sequence[QueueChange],
    timeline: Sequence[tuple[str, dict[str, Any]]],
    at: str,
) -> bool:
    """Record the customer's cancellation as a round of the order: its waiting units cancelled, its places
    in the backorder queues given up, nothing allocated or released for it after this; False if another
    round got there first (read the order again)."""
    items = [
        round_plan.at_once(
            order.order_id,
            order.allocation_round,
            {
                "state": OrderState.ALLOCATED.value,
                "lines": [line.model_dump() for line in lines],
                "cancelled_at": at,
                "updated_at": at,
            },
        ),
        *(inventory.backorder_item(x.sku, order.order_id, x.quantity, x.since) for x in queue),
        *(repo.event_item(order.order_id, kind, detail, at) for kind, detail in timeline),
    ]
    try:
        transact(items)
    except Cancelled as refused:
        if refused.failed(0):
            return False
        raise
    return True


def move_shipment(
    shipment: StoredShipment, changes: dict[str, Any], timeline: tuple[str, dict[str, Any]]
) -> PartnerEventOutcome:
    """A move OMS makes on its own (a deadline's exception): the shipment's change and its timeline entry,
    refused if the shipment's status changed since it was read (SHIPMENT_MOVED)."""
    try:
        transact([repo.shipment_move(shipment, changes), repo.event_item(shipment.order_id, *timeline)])
    except Cancelled as refused:
        if refused.failed(0):
            return PartnerEventOutcome.SHIPMENT_MOVED
        raise
    return PartnerEventOutcome.APPLIED
