"""The writes that move an order and its stock together, all or nothing, and what each outcome means.

Callers learn what happened as a value (committed, already done, stock moved...), never by decoding
a transaction's cancellation reasons: those are read here, where the order of the items is known.
An allocation round goes through `oms.repository.rounds`, which splits one too big for a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from typing import Any

from oms import clock
from oms.errors import TransientError
from oms.records import ListedOrder, QueueChange, StoredLine, StoredOrder, StoredShipment
from oms.repository import inventory, keys, ledger, listing, round_plan
from oms.repository import orders as repo
from oms.repository.dynamo import Cancelled, retried, to_item, transact
from oms.repository.inventory import StockMove
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
    listed: tuple[ListedOrder, int] | None = None,
) -> AllocationCommit:
    """Write one allocation round: the order's lines, the stock it reserves, the shipments that carry
    it, its places in the SKUs' backorder queues and its timeline entries, refused unless the order is
    still at the round it was read at (in chunks when it is too big for one transaction). `listed`, the
    order list's summary of the order as the round leaves it, goes with the round: only for the order's
    first round, which every other writer of the summary follows (a cancellation is a round too)."""
    header = {
        "state": OrderState.ALLOCATED.value,
        "lines": [line.model_dump() for line in lines],
        "updated_at": at,
        "shipment_count": order.shipment_count + len(shipments),
        **(listing.header_attributes(*listed) if listed else {}),
    }
    # A round too big for one transaction writes its last items with the commit: the timeline (hidden
    # until then anyway) first, then what is read from outside the order: the queues, shipments, list copies.
    items = [
        *(repo.event_item(order.order_id, kind, detail, at, n) for n, (kind, detail) in enumerate(timeline)),
        *(inventory.backorder_item(x.sku, order.order_id, x.quantity, x.since) for x in queue),
        *(repo.shipment_put(shipment) for shipment in shipments),
        *(listing.first_copies(*listed) if listed else []),
    ]
    return commit_round(order.order_id, order.allocation_round, header, reservations, items)


def apply_partner_event(
    partner_id: str,
    event_id: str,
    shipment: StoredShipment,
    changes: dict[str, Any],
    stock: Sequence[StockMove],
    timeline: tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str],
    order: tuple[StoredOrder, dict[str, Any]] | None = None,
    listed: tuple[ListedOrder, int] | None = None,
) -> PartnerEventOutcome:
    """Apply a partner's event once: its mark, the shipment's move (refused if the shipment moved since
    it was read), the stock it moves with the ledger's movements, its timeline entry, for a move that
    changes the order's lines (a rejection) the order's header as a round of its own (refused if another
    round got there first) and, when given, the order list's summary of the order as the move leaves it
    (refused if a newer one is listed: the order changed since it was read). A stock write made from the
    counts read is read again if they moved."""
    tail = [round_plan.at_once(order[0].order_id, order[0].allocation_round, order[1])] if order else []
    if listed is not None:
        tail.extend(listing.writes(*listed))
    for _ in range(STOCK_ATTEMPTS):
        items, counted, pending = _partner_event_writes(partner_id, event_id, shipment, changes, stock, timeline, tail)
        try:
            retried(partial(transact, items))
        except Cancelled as refused:
            if refused.failed(0):
                return PartnerEventOutcome.REPEATED
            if refused.failed(1) or refused.failed_any(range(len(items) - len(tail), len(items))):
                return PartnerEventOutcome.SHIPMENT_MOVED
            if refused.failed_any(counted):
                continue  # a location's counts moved since they were read: read them again
            raise
        if pending:
            # Moves left over by an earlier attempt are not this one's: the shipment's next reader finishes them.
            finish_stock(shipment.order_id, shipment.shipment_id)
        return PartnerEventOutcome.APPLIED
    raise TransientError(f"the stock of shipment {shipment.shipment_id} kept moving while it was written")


def _partner_event_writes(
    partner_id: str,
    event_id: str,
    shipment: StoredShipment,
    changes: dict[str, Any],
    stock: Sequence[StockMove],
    timeline: tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str],
    tail: Sequence[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[int], bool]:
    """A partner event's transaction items (`tail` last), with the counts it depends on read now, the
    positions of the writes refused if those counts move before it is written, and whether it leaves stock
    moves pending on the shipment."""
    at = clock.iso()  # taken with the read: movements are ordered by when they were written
    mark = {
        **keys.partner_event(partner_id, event_id),
        "type": "PARTNER_EVENT",
        "order_id": shipment.order_id,
        "shipment_id": shipment.shipment_id,
        "at": at,
    }
    ids = {"order_id": shipment.order_id, "shipment_id": shipment.shipment_id, "event_id": event_id}
    cause = ledger.Cause(shipment.shipment_id, at, ids)
    now, changes = _split_stock(changes, stock, 3 + len(tail), cause)
    moves = inventory.stock_writes(inventory.with_counts(now), cause, offset=2)
    items = [
        {"Put": {"TableName": repo.table(), "Item": to_item(mark), "ConditionExpression": "attribute_not_exists(PK)"}},
        repo.shipment_move(shipment, changes),
        *moves.items,
        repo.event_item(shipment.order_id, *timeline),
        *tail,
    ]
    return items, moves.counted, "stock_pending" in changes


def cancel_shipment(shipment: StoredShipment, changes: dict[str, Any], release: Sequence[StockMove]) -> bool:
    """Cancel a shipment OMS can still cancel and release what it holds; False if it moved meanwhile."""
    now, changes = _split_stock(changes, release, 1, None)
    try:
        transact([repo.shipment_move(shipment, changes), *inventory.stock_writes(now, None).items])
    except Cancelled as refused:
        if refused.failed(0):
            return False
        raise
    if "stock_pending" in changes:
        finish_stock(shipment.order_id, shipment.shipment_id)
    return True


# A shipment's move takes its stock with it in one transaction when it fits. A shipment of more lines than
# that records the moves left over on the shipment (`stock_pending`, with `stock_cause`, what names their
# ledger entries) in that same transaction, and they are applied right after in chunks, each with its
# ledger entries exactly once (its number kept in `stock_done` in its own transaction). A step that dies in
# between leaves them recorded, and whoever touches the shipment next (the partner's retry, a
# cancellation, compensation) finishes them.

# A stock write made from the counts read is tried this many times while other writers keep moving them.
STOCK_ATTEMPTS = 5


def _split_stock(
    changes: dict[str, Any], stock: Sequence[StockMove], others: int, cause: ledger.Cause | None
) -> tuple[Sequence[StockMove], dict[str, Any]]:
    fits = inventory.fitting(stock, TRANSACTION_LIMIT - others)
    if fits == len(stock):
        return stock, changes
    pending: dict[str, Any] = {"stock_pending": [move.stored() for move in stock[fits:]]}
    if cause is not None:
        pending["stock_cause"] = cause.stored()
    return stock[:fits], {**changes, **pending}


def finish_stock(order_id: str, shipment_id: str) -> None:
    """Apply the stock moves a shipment's move left pending, each chunk once, with its ledger entries."""
    item = repo.shipment_item(order_id, shipment_id)
    if not item or not item.get("stock_pending"):
        return
    moves = [inventory.pending_move(stored) for stored in item["stock_pending"]]
    cause = ledger.Cause.from_stored(item["stock_cause"]) if item.get("stock_cause") else None
    done = set(item.get("stock_done") or ())
    for number, chunk in enumerate(inventory.chunks(moves, TRANSACTION_LIMIT - 1)):
        if str(number) not in done:
            _apply_chunk(order_id, shipment_id, str(number), chunk, cause)
    repo.clear_stock_pending(order_id, shipment_id)


def _apply_chunk(
    order_id: str, shipment_id: str, number: str, chunk: Sequence[StockMove], cause: ledger.Cause | None
) -> None:
    """One chunk of pending moves and its mark in one transaction; nothing if another attempt applied it."""
    for _ in range(STOCK_ATTEMPTS):
        moves = inventory.stock_writes(inventory.with_counts(chunk), cause)
        try:
            transact([*moves.items, repo.stock_chunk_done(order_id, shipment_id, number)])
        except Cancelled as refused:
            if refused.failed(len(moves.items)):
                return
            if refused.failed_any(moves.counted):
                continue
            raise
        return
    raise TransientError(f"the stock of shipment {shipment_id} kept moving while it was written")


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
        *(repo.event_item(order.order_id, kind, detail, at, n) for n, (kind, detail) in enumerate(timeline)),
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
