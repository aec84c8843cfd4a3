"""Cancelling: the customer's cancellation of everything not yet shipped, and the partners told of every
shipment OMS cancels."""

from __future__ import annotations

from typing import Any

from oms import clock, events, followup, listing
from oms.errors import NotCancellable, OrderNotFound, TransientError
from oms.fulfilment import rounds
from oms.fulfilment.dispatch import tell_partners, wake
from oms.models import OrderView
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.observability import logger, metrics
from oms.records import StoredOrder
from oms.repository import orders as repo
from oms.repository.inventory import StockAction, StockMove
from oms.repository.transactions import cancel_shipment, commit_cancellation, finish_stock
from oms.statuses import OPEN_STATUSES, OrderState, OrderStatus, ShipmentStatus
from oms.views import line_views, order_view, status_of

_ATTEMPTS = 3


def _load(order_id: str) -> StoredOrder:
    order = repo.load(order_id)
    if order is None:
        raise OrderNotFound(f"No order {order_id}.")
    return order


def cancel_by_customer(order_id: str) -> OrderView:
    """Cancel every unit not yet shipped; 409 when every unit not cancelled has shipped. An order already
    cancelled or failed answers unchanged; a second cancellation finishes what a first one that stopped
    half way left undone, and repeats nothing the first one did."""
    order = _load(order_id)
    if order.state == OrderState.FAILED:
        return order_view(order)
    if not order.cancelled_at:
        if status_of(order) == OrderStatus.CANCELLED:
            return order_view(order)
        if all(line.shipped >= line.quantity - line.cancelled for line in line_views(order)):
            raise NotCancellable("Every item of this order has shipped; it can no longer be cancelled.")
        if _record(order):
            metrics.add_metric(name="OrdersCancelled", unit="Count", value=1)
            logger.info("the customer cancelled the order")
        events.publish(order_id, "OrderCancelled", {"by": "customer"})
    _complete(order_id)
    return order_view(_load(order_id))


def _complete(order_id: str) -> None:
    """What follows the recorded cancellation, each part once however often it runs: shipments cancelled
    and partners told, the customer's email, the execution woken, the list, and the feedback request for
    what had already shipped."""
    finish(order_id)
    cancelled = _load(order_id)
    send(cancelled, EmailKind.ORDER_CANCELLED)
    wake(cancelled)
    listing.refresh(cancelled)
    # What is left has all shipped (or been delivered): no partner update may come to set the feedback request.
    followup.schedule(cancelled)


def _record(order: StoredOrder) -> bool:
    """Record the customer's cancellation; True when this call wrote it, False when another had."""
    for _ in range(_ATTEMPTS):
        now = clock.iso()
        lines = rounds.lines_after_cancellation(order)
        waiting = {line.sku: line.backordered for line in order.lines if line.backordered}
        timeline: list[tuple[str, dict[str, Any]]] = [("OrderCancelled", {"by": "customer"})]
        if waiting:
            timeline.append(("UnitsCancelled", {"lines": waiting, "reason": "customer"}))
        if commit_cancellation(order, lines, rounds.queue_changes(order.lines, lines), timeline, now):
            return True
        order = _load(order.order_id)  # a round got there first: cancel what it left
        if order.cancelled_at:
            return False
    raise TransientError(f"order {order.order_id} kept changing while it was cancelled")


def finish(order_id: str) -> None:
    """Cancel the cancelled order's shipments OMS can still cancel, releasing what they hold, and tell their
    partners."""
    cancel_open_shipments(_load(order_id))


def cancel_open_shipments(order: StoredOrder) -> None:
    """Cancel every shipment of `order` OMS can still cancel, releasing what it holds (pending stock moves
    finished first), and tell their partners. A shipment that moved meanwhile (the partner shipped it)
    keeps its move."""
    now = clock.iso()
    for shipment in order.shipments:
        if shipment.stock_pending:
            finish_stock(order.order_id, shipment.shipment_id)
        if shipment.status not in OPEN_STATUSES:
            continue
        release = [StockMove(StockAction.RELEASE, x.sku, shipment.partner_id, x.quantity) for x in shipment.lines]
        if not cancel_shipment(
            shipment,
            {"status": ShipmentStatus.CANCELLED, "cancelled_at": now},
            release if shipment.holds_stock else [],
        ):
            logger.info("shipment moved before it could be cancelled", extra={"shipment_id": shipment.shipment_id})
    tell_partners(_load(order.order_id))
