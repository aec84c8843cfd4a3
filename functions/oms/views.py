"""How a stored order reads from outside: line counters and status follow from its shipments."""

from __future__ import annotations

from oms.models import LineView, OrderView, ShipmentView, TimelineEntry, TimelineType
from oms.records import StoredOrder, StoredShipment
from oms.statuses import RELEASED_STATUSES, SHIPPED_STATUSES, LineCount, OrderState, OrderStatus, ShipmentStatus
from oms.statuses import order_status as status_from_counts


def line_views(order: StoredOrder) -> list[LineView]:
    """Each line's counters; a shipment holds its units unless it ended without them leaving. A
    cancelled shipment's units count as cancelled, and a rejected one's were moved on the line (sent
    elsewhere, waiting or cancelled); a cancelled shipment that the partner ships anyway becomes SHIPPED,
    so its units stop counting as cancelled and count as shipped."""
    counts = {
        line.sku: LineView(sku=line.sku, quantity=line.quantity, backordered=line.backordered, cancelled=line.cancelled)
        for line in order.lines
    }
    for shipment in order.shipments:
        for line in shipment.lines:
            view = counts[line.sku]
            if shipment.status not in RELEASED_STATUSES:
                view.allocated += line.quantity
            if shipment.status == ShipmentStatus.CANCELLED:
                view.cancelled += line.quantity
            if shipment.status in SHIPPED_STATUSES:
                view.shipped += line.quantity
            if shipment.status == ShipmentStatus.DELIVERED:
                view.delivered += line.quantity
    return list(counts.values())


def shipment_view(shipment: StoredShipment) -> ShipmentView:
    return ShipmentView.model_validate(shipment.model_dump())


def status_of(order: StoredOrder, lines: list[LineView] | None = None) -> OrderStatus:
    lines = lines if lines is not None else line_views(order)
    counts = [
        LineCount(
            quantity=v.quantity,
            allocated=v.allocated,
            backordered=v.backordered,
            cancelled=v.cancelled,
            shipped=v.shipped,
            delivered=v.delivered,
        )
        for v in lines
    ]
    return status_from_counts(
        counts, failed=order.state == OrderState.FAILED, placed_only=order.state == OrderState.PLACED
    )


def order_view(order: StoredOrder) -> OrderView:
    lines = line_views(order)
    return OrderView(
        order_id=order.order_id,
        external_ref=order.external_ref,
        status=status_of(order, lines),
        backorder_policy=order.backorder_policy,
        customer=order.customer,
        shipping_address=order.shipping_address,
        created_at=order.created_at,
        updated_at=max([order.updated_at, *(e.at for e in order.timeline)]),
        lines=lines,
        shipments=[shipment_view(s) for s in order.shipments],
        timeline=[TimelineEntry(at=e.at, type=TimelineType(e.event_type), detail=e.detail) for e in order.timeline],
    )
