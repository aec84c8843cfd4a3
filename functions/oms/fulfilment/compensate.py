"""Compensation: an order that cannot finish gives back what it holds, is marked FAILED, and the
customer is told."""

from __future__ import annotations

from typing import Any

from oms import clock, events
from oms.fulfilment.common import load
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.observability import logger, metrics
from oms.repository import orders as repo
from oms.repository.inventory import StockAction, StockMove
from oms.repository.transactions import cancel_shipment
from oms.statuses import OPEN_STATUSES, OrderState, ShipmentStatus

# What the outside may learn of a failure: the error's name, and the start of its cause.
_CAUSE_CHARS = 500


def compensate(order_id: str, error: dict[str, Any] | None) -> None:
    """Release the reservations of unshipped shipments, mark the order FAILED, tell the customer."""
    found = repo.load(order_id)
    if found is None:
        # An execution started for an order that was never written holds nothing to give back.
        logger.error("nothing to compensate: no such order", extra={"order_id": order_id, "error": error})
        return
    now = clock.iso()
    for shipment in found.shipments:
        if shipment.status not in OPEN_STATUSES:
            continue
        release = [StockMove(StockAction.RELEASE, x.sku, shipment.partner_id, x.quantity) for x in shipment.lines]
        cancel_shipment(
            shipment,
            {"status": ShipmentStatus.CANCELLED, "cancelled_at": now},
            release if shipment.holds_stock else [],
        )
    if found.state != OrderState.FAILED:
        repo.set_header(order_id, {"state": OrderState.FAILED.value, "updated_at": now})
        detail = {"error": (error or {}).get("Error"), "cause": str((error or {}).get("Cause", ""))[:_CAUSE_CHARS]}
        repo.append_event(order_id, "OrderFailed", detail)
        metrics.add_metric(name="OrdersFailed", unit="Count", value=1)
        events.publish(order_id, "OrderFailed", detail)
    send(load(order_id), EmailKind.ORDER_FAILED)
