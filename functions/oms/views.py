"""How a stored order reads from outside: line counters and status follow from its shipments."""

from __future__ import annotations

from typing import Any

from oms.models import LineView, OrderView, ShipmentView, TimelineEntry
from oms.repository.orders import OrderBundle
from oms.statuses import SHIPPED_STATUSES, LineCount, OrderStatus, ShipmentStatus, order_status

# A shipment holds its units unless it ended without them leaving (a cancelled shipment that the
# partner ships anyway becomes SHIPPED, so it counts again).
_RELEASED = {ShipmentStatus.REJECTED, ShipmentStatus.CANCELLED}


def line_views(bundle: OrderBundle) -> list[LineView]:
    counts = {
        line["sku"]: LineView(
            sku=line["sku"],
            quantity=line["quantity"],
            backordered=line.get("backordered", 0),
            cancelled=line.get("cancelled", 0),
        )
        for line in bundle.header["lines"]
    }
    for shipment in bundle.shipments:
        status = ShipmentStatus(shipment["status"])
        for line in shipment["lines"]:
            view = counts[line["sku"]]
            if status not in _RELEASED:
                view.allocated += line["quantity"]
            if status in SHIPPED_STATUSES:
                view.shipped += line["quantity"]
            if status == ShipmentStatus.DELIVERED:
                view.delivered += line["quantity"]
    return list(counts.values())


def shipment_view(shipment: dict[str, Any]) -> ShipmentView:
    return ShipmentView.model_validate(shipment)


def status_of(bundle: OrderBundle, lines: list[LineView] | None = None) -> OrderStatus:
    lines = lines if lines is not None else line_views(bundle)
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
    state = bundle.header.get("state", "PLACED")
    return order_status(counts, failed=state == "FAILED", placed_only=state == "PLACED")


def order_view(bundle: OrderBundle) -> OrderView:
    head = bundle.header
    lines = line_views(bundle)
    return OrderView(
        order_id=head["order_id"],
        external_ref=head["external_ref"],
        status=status_of(bundle, lines),
        backorder_policy=head["backorder_policy"],
        customer=head["customer"],
        shipping_address=head["shipping_address"],
        created_at=head["created_at"],
        updated_at=max([head["updated_at"], *(e["at"] for e in bundle.events)]),
        lines=lines,
        shipments=[shipment_view(s) for s in bundle.shipments],
        timeline=[TimelineEntry(at=e["at"], type=e["event_type"], detail=e.get("detail") or {}) for e in bundle.events],
    )
