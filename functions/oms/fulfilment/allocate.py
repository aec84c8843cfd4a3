"""Allocation rounds: reserve what the order's policy allows, atomically with the shipments that carry it.

The order's execution runs the first round and every re-allocation after a rejection (`allocate_order`);
a receipt runs release rounds for the backorders it can serve, oldest first, within its call (`release`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from oms import clock, events, ids, listing
from oms.allocation import Allocation, Location
from oms.errors import ReservationConflict, TransientError
from oms.fulfilment import rounds
from oms.fulfilment.cancel import finish as finish_cancellation
from oms.fulfilment.common import load
from oms.fulfilment.dispatch import wake
from oms.notifications.catalogue import EmailKind
from oms.observability import logger, metrics
from oms.records import StoredOrder, StoredShipment, TimelineEvent
from oms.repository import catalog, inventory
from oms.repository import orders as repo
from oms.repository.dynamo import retried
from oms.repository.inventory import StockAction, StockMove
from oms.repository.transactions import AllocationCommit, commit_allocation
from oms.statuses import LOCATION_KINDS, SHIPMENT_KIND_OF, Fulfilment, OrderState, ShipmentStatus
from oms.steps import AllocationOutcome, AllocationOutput
from oms.views import line_views

_OUTCOME_EMAIL = {
    AllocationOutcome.ALLOCATED: EmailKind.ORDER_CONFIRMED,
    AllocationOutcome.BACKORDERED: EmailKind.ORDER_BACKORDERED,
    AllocationOutcome.CANCELLED: EmailKind.ORDER_CANCELLED,
}
# A receipt gives up on an order whose stock keeps moving under it after this many plans; the next
# receipt (or the order's own round) serves it.
_RELEASE_ATTEMPTS = 3


def outcome(order: StoredOrder) -> AllocationOutput:
    """What the rounds so far decided, read back from the order (so a retried step answers the same).

    The first round's email tells the customer what ships and what waits; later rounds owe an email
    only when they leave every unit cancelled."""
    lines = line_views(order)
    if all(line.cancelled >= line.quantity for line in lines):
        result = AllocationOutcome.CANCELLED
    elif any(line.backordered > 0 for line in lines):
        result = AllocationOutcome.BACKORDERED
    else:
        result = AllocationOutcome.ALLOCATED
    first_round_only = order.allocation_round <= 1 or result == AllocationOutcome.CANCELLED
    return AllocationOutput(
        outcome=result,
        email=_OUTCOME_EMAIL[result].value if first_round_only else None,
        shipment_ids=[s.shipment_id for s in order.shipments if s.status == ShipmentStatus.SENT and not s.requested_at],
    )


def locations() -> list[Location]:
    """Stock locations in preference order: own warehouse, then third parties in seed order."""
    stocked = [p for p in catalog.partners() if p.kind in LOCATION_KINDS]
    stocked.sort(key=lambda p: (LOCATION_KINDS.index(p.kind), p.rank))
    return [Location(p.id, SHIPMENT_KIND_OF[p.kind]) for p in stocked]


def _dropship(skus: list[str]) -> dict[str, str]:
    products = catalog.products(skus)
    return {sku: p.vendor_id for sku, p in products.items() if p.fulfillment == Fulfilment.DROPSHIP and p.vendor_id}


def _available(skus: set[str], dropship: dict[str, str]) -> dict[str, dict[str, int]]:
    stock = inventory.stock(sorted(sku for sku in skus if sku not in dropship))
    return {sku: {loc: c["available"] for loc, c in by_loc.items()} for sku, by_loc in stock.items()}


def allocate_order(order_id: str) -> AllocationOutput:
    """The execution's round: the first allocation, or the units a rejection sent back. An order with
    nothing to allocate answers what its rounds decided, with the shipments still to send."""
    order = load(order_id)
    if order.cancelled_at:
        finish_cancellation(order_id)  # the customer's cancellation, if its own call stopped half way
        return outcome(load(order_id))
    if order.state == OrderState.FAILED or not (rounds.is_first(order) or any(x.rerouting for x in order.lines)):
        return outcome(order)
    skus = [line.sku for line in order.lines]
    dropship = _dropship(skus)
    allocation = rounds.plan(order, _available(set(skus), dropship), locations(), dropship)
    first = rounds.is_first(order)
    committed, after = _commit(order, allocation, "policy" if first else "unavailable_after_rejection", listed=first)
    if committed == AllocationCommit.STOCK_MOVED:
        raise ReservationConflict(f"stock moved while allocating {order_id}")
    if committed == AllocationCommit.ALREADY_DONE:
        logger.info("the round was committed by another attempt", extra={"order_id": order_id})
    # The first round, committed as this attempt planned it, leaves the order as `after`: it had no
    # shipment a partner could move, and the one other writer, a cancellation, is a round of its own that
    # the commit's condition on the round refused or follows. Any other round is read back.
    allocated = after if first and committed == AllocationCommit.COMMITTED else load(order_id)
    result = outcome(allocated)
    if committed.by_this_call:
        _count_round(order, result, first)
    # Published by the attempt that committed and by any that finds the round done (the first may have
    # stopped before it published): the ids are the round's, so a receiver sees each event once.
    _publish_round(allocated, "OrderAllocated", result.model_dump(mode="json"))
    if not (first and committed.by_this_call):  # the first round lists the order itself
        listing.refresh(allocated)
    return result


def _count_round(before: StoredOrder, result: AllocationOutput, first: bool) -> None:
    """The round's facts, counted by the one attempt that committed it."""
    metrics.add_metric(name="OrdersAllocated" if first else "UnitsReallocated", unit="Count", value=1)
    if result.outcome == AllocationOutcome.BACKORDERED and not any(line.backordered for line in before.lines):
        metrics.add_metric(name="OrdersBackordered", unit="Count", value=1)
        logger.info("the order's units wait for stock")
    elif result.outcome == AllocationOutcome.CANCELLED:
        metrics.add_metric(name="OrdersCancelled", unit="Count", value=1)
        logger.info("the round left nothing to ship: the order is cancelled")


def _publish_round(order: StoredOrder, event_type: str, detail: dict[str, Any]) -> None:
    """The bus's events of the round `order` last committed: the round's own, the units it left waiting,
    and the order's cancellation when it left nothing to ship."""
    cause = f"round-{order.allocation_round}"
    events.publish(order.order_id, event_type, detail, cause)
    waiting = {line.sku: line.backordered for line in order.lines if line.backordered}
    if waiting:
        events.publish(order.order_id, "UnitsBackordered", {"lines": waiting}, cause)
    if all(line.cancelled >= line.quantity for line in line_views(order)):
        by = "policy" if order.allocation_round <= 1 else "partner_rejection"
        events.publish(order.order_id, "OrderCancelled", {"by": by})


def release(sku: str) -> list[str]:
    """A receipt's rounds: the oldest backorders of `sku` the stock can serve are allocated now, an order
    that still can't be completed leaving room for younger ones. Their executions are woken to send the
    new shipments. Returns the orders released."""
    released: list[str] = []
    try:
        _release(sku, released)
    except TransientError:
        # The receipt itself is recorded: units left waiting are served by the next receipt of the SKU.
        logger.exception("backorders not released", extra={"sku": sku, "released": released})
        metrics.add_metric(name="ReleasesDeferred", unit="Count", value=1)
    return released


def _release(sku: str, released: list[str]) -> None:
    for _ in range(_RELEASE_ATTEMPTS):
        queue = _queue(sku, released)
        if not queue:
            break
        skus = {line.sku for waiting in queue for line in waiting.order.lines if line.backordered}
        dropship = _dropship(sorted(skus))
        moved = False
        for order, allocation in rounds.releases(queue, _available(skus, dropship), locations(), dropship):
            committed, _ = retried(partial(_commit, order, allocation, "released", released=True))
            if committed.by_this_call:
                released.append(order.order_id)
                metrics.add_metric(name="BackordersReleased", unit="Count", value=1)
                released_order = load(order.order_id)
                _publish_round(released_order, "BackorderReleased", {"shipment_ids": _unsent(released_order)})
                wake(released_order)
                listing.refresh(released_order)
            else:
                moved = True  # the order or the stock changed since it was read: read the queue again
                break
        if not moved:
            break


def _unsent(order: StoredOrder) -> list[str]:
    return [s.shipment_id for s in order.shipments if s.status == ShipmentStatus.SENT and not s.requested_at]


def _queue(sku: str, released: list[str]) -> list[rounds.Waiting]:
    queue = []
    for since, order_id in inventory.waiting(sku):
        order = repo.load(order_id) if order_id not in released else None
        if order is not None and order.state == OrderState.ALLOCATED and not order.cancelled_at:
            queue.append(rounds.Waiting(order, since))
    return queue


def _commit(
    order: StoredOrder, allocation: Allocation, reason: str, *, released: bool = False, listed: bool = False
) -> tuple[AllocationCommit, StoredOrder]:
    """Write the round `allocation` plans for `order`; what came of it, and the order as the round leaves it
    when it is this write that commits it."""
    now = clock.iso()
    first = order.shipment_count + 1
    shipments = [
        StoredShipment.model_validate(
            {
                "shipment_id": ids.shipment_id(order.order_id, number),
                "order_id": order.order_id,
                "number": number,
                "partner_id": planned.partner_id,
                "kind": planned.kind,
                "status": ShipmentStatus.SENT,
                "lines": [{"sku": sku, "quantity": qty} for sku, qty in planned.lines],
                "sent_at": now,
            }
        )
        for number, planned in enumerate(allocation.shipments, start=first)
    ]
    lines = rounds.lines_after(order, allocation, now)
    reservations = [
        StockMove(StockAction.RESERVE, sku, location, qty)
        for (sku, location), qty in sorted(allocation.reserved_at().items())
    ]
    made = [s.shipment_id for s in shipments]
    timeline: list[tuple[str, dict[str, Any]]] = [
        ("BackorderReleased", {"shipments": made}) if released else ("OrderAllocated", {"shipments": made})
    ]
    if allocation.backordered and not released:
        timeline.append(("UnitsBackordered", {"lines": allocation.backordered}))
    if allocation.cancelled:
        timeline.append(("UnitsCancelled", {"lines": allocation.cancelled, "reason": reason}))
    queue = rounds.queue_changes(order.lines, lines)
    after = order.model_copy(
        update={
            "state": OrderState.ALLOCATED,
            "allocation_round": order.allocation_round + 1,
            "shipment_count": order.shipment_count + len(shipments),
            "lines": lines,
            "shipments": [*order.shipments, *shipments],
            "timeline": [*order.timeline, *(TimelineEvent(at=now, event_type=k, detail=d) for k, d in timeline)],
            "updated_at": now,
        }
    )
    summary = (listing.summary(after), len(after.timeline)) if listed else None
    return commit_allocation(order, lines, shipments, reservations, queue, timeline, now, summary), after
