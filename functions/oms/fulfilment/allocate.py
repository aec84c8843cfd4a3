"""Allocation rounds: reserve what the order's policy allows, atomically with the shipments that carry it."""

from __future__ import annotations

from typing import Any

from oms import clock, events, ids, listing
from oms.allocation import Allocation, LineRequest, Location, allocate
from oms.errors import ReservationConflict
from oms.fulfilment.common import load
from oms.notifications.catalogue import EmailKind
from oms.observability import logger, metrics
from oms.records import StoredLine, StoredOrder, StoredShipment
from oms.repository import catalog, inventory
from oms.repository.inventory import StockAction, StockMove
from oms.repository.transactions import AllocationCommit, commit_allocation
from oms.statuses import LOCATION_KINDS, SHIPMENT_KIND_OF, Fulfilment, OrderState, ShipmentStatus
from oms.steps import AllocationOutcome, AllocationOutput

_OUTCOME_EMAIL = {
    AllocationOutcome.ALLOCATED: EmailKind.ORDER_CONFIRMED,
    AllocationOutcome.BACKORDERED: EmailKind.ORDER_BACKORDERED,
    AllocationOutcome.CANCELLED: EmailKind.ORDER_CANCELLED,
}


def outcome(order: StoredOrder) -> AllocationOutput:
    """What the first allocation decided, read back from the order (so a retried step answers the same)."""
    if all(line.cancelled >= line.quantity for line in order.lines):
        result = AllocationOutcome.CANCELLED
    elif any(line.backordered > 0 for line in order.lines):
        result = AllocationOutcome.BACKORDERED
    else:
        result = AllocationOutcome.ALLOCATED
    return AllocationOutput(
        outcome=result, email=_OUTCOME_EMAIL[result].value, shipment_ids=[s.shipment_id for s in order.shipments]
    )


def locations() -> list[Location]:
    """Stock locations in preference order: own warehouse, then third parties in seed order."""
    stocked = [p for p in catalog.partners() if p.kind in LOCATION_KINDS]
    stocked.sort(key=lambda p: (LOCATION_KINDS.index(p.kind), p.rank))
    return [Location(p.id, SHIPMENT_KIND_OF[p.kind]) for p in stocked]


def allocate_order(order_id: str) -> AllocationOutput:
    """Allocate a placed order; an order allocated already answers what its allocation decided."""
    order = load(order_id)
    if order.state != OrderState.PLACED:
        return outcome(order)
    skus = [line.sku for line in order.lines]
    products = catalog.products(skus)
    dropship = {sku: p.vendor_id for sku, p in products.items() if p.fulfillment == Fulfilment.DROPSHIP and p.vendor_id}
    stock = inventory.stock([s for s in skus if s not in dropship])
    available = {sku: {loc: c["available"] for loc, c in by_loc.items()} for sku, by_loc in stock.items()}
    requests = [LineRequest(line.sku, line.quantity) for line in order.lines]
    plan = allocate(requests, available, locations(), dropship, order.backorder_policy)
    _commit(order, plan)
    metrics.add_metric(name="OrdersAllocated", unit="Count", value=1)
    result = outcome(load(order_id))
    events.publish(order_id, "OrderAllocated", result.model_dump(mode="json"))
    listing.refresh(load(order_id))
    return result


def _commit(order: StoredOrder, plan: Allocation) -> None:
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
        for number, planned in enumerate(plan.shipments, start=first)
    ]
    lines = [
        StoredLine(
            sku=line.sku,
            quantity=line.quantity,
            backordered=plan.backordered.get(line.sku, 0),
            cancelled=plan.cancelled.get(line.sku, 0),
        )
        for line in order.lines
    ]
    reservations = [
        StockMove(StockAction.RESERVE, sku, location, qty)
        for (sku, location), qty in sorted(plan.reserved_at().items())
    ]
    timeline: list[tuple[str, dict[str, Any]]] = [("OrderAllocated", {"shipments": [s.shipment_id for s in shipments]})]
    if plan.backordered:
        timeline.append(("UnitsBackordered", {"lines": plan.backordered}))
    if plan.cancelled:
        timeline.append(("UnitsCancelled", {"lines": plan.cancelled, "reason": "policy"}))
    committed = commit_allocation(order, lines, shipments, reservations, timeline, now)
    if committed == AllocationCommit.ALREADY_DONE:
        logger.info("allocation already committed by another attempt", extra={"order_id": order.order_id})
    elif committed == AllocationCommit.STOCK_MOVED:
        raise ReservationConflict(f"stock moved while allocating {order.order_id}")
