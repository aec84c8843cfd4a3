"""Partner updates: verify who sent them, move the shipment forward once, do what the move owes (emails,
the feedback schedule) and wake the order's execution when its path changes."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from oms import carriers, clock, events, followup, ids, listing
from oms.errors import DomainError, ShipmentNotFound, SignatureRejected, TransientError
from oms.fulfilment import rounds
from oms.fulfilment.dispatch import wake
from oms.fulfilment.notify import notify_shipment
from oms.models import PartnerShipmentsPage, PartnerShipmentView, TrackingEvent, TrackingStatus
from oms.observability import logger, metrics
from oms.records import StoredOrder, StoredShipment, TimelineEvent
from oms.repository import catalog, secrets
from oms.repository import orders as repo
from oms.repository.inventory import StockAction, StockMove
from oms.repository.transactions import PartnerEventOutcome, apply_partner_event, finish_stock
from oms.signatures import InvalidSignature, verify
from oms.statuses import (
    RELEASED_STATUSES,
    SETTLED_STATUSES,
    OrderState,
    OrderStatus,
    ShipmentStatus,
    leaves_stock,
    move_applies,
    ships_after_cancellation,
)
from oms.views import status_of

_TIMELINE = {
    TrackingStatus.ACCEPTED: "ShipmentAccepted",
    TrackingStatus.REJECTED: "ShipmentRejected",
    TrackingStatus.SHIPPED: "ShipmentShipped",
    TrackingStatus.IN_TRANSIT: "ShipmentInTransit",
    TrackingStatus.DELIVERED: "ShipmentDelivered",
    TrackingStatus.EXCEPTION: "ShipmentException",
}
# A shipment that keeps moving while an event is judged is judged again, this many times at most.
_ATTEMPTS = 3
PAGE_SIZE = 50


class InvalidCursor(DomainError):
    status, code = 400, "validation_error"


def authenticate(partner_id: str, body: bytes, signature: str | None) -> None:
    """401 for an unknown partner or a missing, wrong or stale signature; freshness is real time. During
    a rotation's overlap the previous secret verifies too."""
    accepted = secrets.accepted(partner_id) if catalog.known_partner(partner_id) else []
    if not accepted:
        raise SignatureRejected("The request is not signed by a known partner.")
    try:
        verify(accepted, body, signature, now=time.time())
    except InvalidSignature as error:
        raise SignatureRejected(f"The signature does not verify: {error}") from error


def _owned_shipment(partner_id: str, shipment_id: str) -> tuple[StoredOrder, StoredShipment]:
    order_id = ids.order_of_shipment(shipment_id)
    order = repo.load(order_id) if order_id else None
    shipment = order.shipment(shipment_id) if order else None
    if order is None or shipment is None or shipment.partner_id != partner_id:
        raise ShipmentNotFound(f"Partner {partner_id} has no shipment {shipment_id}.")
    return order, shipment


def record(partner_id: str, event: TrackingEvent) -> bool:
    """Apply the event once, then do what the shipment's state owes (emails, the feedback schedule, waking
    the order's execution). False for a repeated event_id or a move that is not forward; what is owed is
    still done, so a partner's retry after a failure finishes the work."""
    applied, after = _apply(partner_id, event)
    settle(ids.order_of_shipment(event.shipment_id) or "", event.shipment_id, after)
    return applied


def _apply(partner_id: str, event: TrackingEvent) -> tuple[bool, StoredOrder | None]:
    """Whether the event was applied now, and the order as its transaction left it when that order's
    shipment alone decides what it owes (`_alone`): it is then listed in the same transaction."""
    for _ in range(_ATTEMPTS):
        order, shipment = _owned_shipment(partner_id, event.shipment_id)
        # A repeated event_id is refused by its mark's condition in the apply transaction: no read first.
        changes = _changes(shipment, event)
        if changes is None:
            return False, None
        timeline = (_TIMELINE[event.status], _detail(event, changes), clock.iso())
        order_changes = _order_changes(order, shipment, changes.get("status"), event.reason)
        after = _moved(order, shipment, changes, timeline) if order_changes is None else None
        after = after if after is not None and _alone(after) else None
        outcome = apply_partner_event(
            partner_id,
            event.event_id,
            shipment,
            changes,
            _stock_moves(shipment, changes.get("status"), event.reason),
            timeline,
            order_changes,
            (listing.summary(after), len(after.timeline)) if after is not None else None,
        )
        if outcome == PartnerEventOutcome.REPEATED:
            return False, None
        if outcome == PartnerEventOutcome.APPLIED:
            _after(shipment, event, changes)
            return True, after
        # SHIPMENT_MOVED: judge the event again against what the order and shipment are now.
    raise TransientError(f"shipment {event.shipment_id} kept moving while an update was applied")


def _moved(
    order: StoredOrder, shipment: StoredShipment, changes: dict[str, Any], timeline: tuple[str, dict[str, Any], str]
) -> StoredOrder:
    """The order as the apply transaction leaves it: the shipment moved (the stock moves it leaves pending,
    if any, are made before `apply_partner_event` returns) and the timeline entry added."""
    moved = StoredShipment.model_validate({**shipment.model_dump(), **changes})
    event_type, detail, at = timeline
    event = TimelineEvent(at=at, event_type=event_type, detail=detail)
    return order.model_copy(
        update={
            "shipments": [moved if s.shipment_id == shipment.shipment_id else s for s in order.shipments],
            "timeline": [*order.timeline, event],
        }
    )


def _alone(order: StoredOrder) -> bool:
    """Whether the order's path can change only by its one shipment's moves: one shipment, no unit waiting,
    no cancellation. Another writer's change (a customer's cancellation) then needs nothing of this move to
    change the path, and wakes the execution itself from the order it reads after its own write; so the
    order as this move left it says what the move owes. Its summary goes in the move's transaction, which
    a newer summary refuses (the order is read and judged again)."""
    return (
        len(order.shipments) == 1
        and order.state != OrderState.FAILED
        and not order.cancelled_at
        and not any(line.backordered or line.rerouting for line in order.lines)
    )


def _order_changes(
    order: StoredOrder, shipment: StoredShipment, new: ShipmentStatus | None, reason: str | None
) -> tuple[StoredOrder, dict[str, Any]] | None:
    """A rejection changes the order's lines: its units wait to be sent elsewhere, or are cancelled."""
    if new != ShipmentStatus.REJECTED:
        return None
    changes: dict[str, Any] = {
        "lines": [line.model_dump() for line in rounds.lines_after_rejection(order, shipment, reason)],
        "updated_at": clock.iso(),
    }
    if rounds.reroutes(shipment.kind, reason):
        changes["excluded_partners"] = sorted({*order.excluded_partners, shipment.partner_id})
    return order, changes


def _changes(shipment: StoredShipment, event: TrackingEvent) -> dict[str, Any] | None:
    at = clock.iso()
    if event.status == TrackingStatus.EXCEPTION:
        if shipment.status in SETTLED_STATUSES:
            return None
        # An exception already open stays the same one (the customer was told of it); its reason updates.
        began = shipment.exception.at if shipment.exception else at
        return {"exception": {"reason": event.reason, "at": began}}
    new = ShipmentStatus(event.status.value)
    if not move_applies(shipment.status, new):
        return None
    changes: dict[str, Any] = {"status": new, "exception": None, f"{new.value.lower()}_at": at}
    if new == ShipmentStatus.REJECTED:
        changes["rejection_reason"] = event.reason
    if event.carrier or event.tracking_number:
        changes["carrier"] = event.carrier or shipment.carrier
        changes["tracking_number"] = event.tracking_number or shipment.tracking_number
        changes["tracking_url"] = event.tracking_url or carriers.tracking_url(
            changes["carrier"], changes["tracking_number"]
        )
    if leaves_stock(shipment.status, new) and "shipped_at" not in changes:
        changes["shipped_at"] = at
    return changes


def _stock_moves(shipment: StoredShipment, new: ShipmentStatus | None, reason: str | None) -> list[StockMove]:
    if new is None or not shipment.holds_stock:
        return []
    if leaves_stock(shipment.status, new):
        unreserved = shipment.status in RELEASED_STATUSES
        action = StockAction.SHIP_UNRESERVED if unreserved else StockAction.SHIP
    elif new == ShipmentStatus.REJECTED:
        action = StockAction.NOT_THERE if reason == "out_of_stock" else StockAction.RELEASE
    else:
        return []
    return [StockMove(action, x.sku, shipment.partner_id, x.quantity) for x in shipment.lines]


def _detail(event: TrackingEvent, changes: dict[str, Any]) -> dict[str, Any]:
    detail = {
        "shipment_id": event.shipment_id,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
    }
    for name in ("carrier", "tracking_number", "tracking_url"):
        if changes.get(name):
            detail[name] = changes[name]
    if event.reason:
        detail["reason"] = event.reason
    return detail


def _after(shipment: StoredShipment, event: TrackingEvent, changes: dict[str, Any]) -> None:
    """What an update this call applied counts and tells (once: a repeat is never applied twice)."""
    event_type = _TIMELINE[event.status]
    _count(shipment, event_type, changes.get("status"))
    events.publish(shipment.order_id, event_type, _detail(event, changes), f"{shipment.shipment_id}:{event.event_id}")


def _count(shipment: StoredShipment, event_type: str, new: ShipmentStatus | None) -> None:
    metrics.add_metric(name=f"Partner{event_type.removeprefix('Shipment')}", unit="Count", value=1)
    logger.info("a partner's update applied", extra={"shipment_id": shipment.shipment_id, "event_type": event_type})
    if new is None:
        return
    if shipment.status == ShipmentStatus.SENT and shipment.requested_at:
        # The partner's first move of a shipment it was sent: how long partners take to answer.
        waited = clock.now() - datetime.fromisoformat(shipment.requested_at.replace("Z", "+00:00"))
        metrics.add_metric(name="PartnerResponseTime", unit="Seconds", value=max(0.0, waited.total_seconds()))
    if leaves_stock(shipment.status, new):
        metrics.add_metric(name="ShipmentsShipped", unit="Count", value=1)
    if new == ShipmentStatus.DELIVERED:
        metrics.add_metric(name="ShipmentsDelivered", unit="Count", value=1)
    if ships_after_cancellation(shipment.status, new):
        # The alarm metric of a parcel that left after OMS cancelled it: someone must look.
        metrics.add_metric(name="ShipmentsAfterCancellation", unit="Count", value=1)
        logger.warning("a cancelled shipment was shipped", extra={"shipment_id": shipment.shipment_id})
    if new == ShipmentStatus.REJECTED:
        order = repo.load(shipment.order_id)
        if order is not None and status_of(order) == OrderStatus.CANCELLED:
            # The rejection left no unit to ship: the order ends cancelled (counted here, where it was written).
            metrics.add_metric(name="OrdersCancelled", unit="Count", value=1)
            logger.info("a rejection left nothing to ship: the order is cancelled")


def settle(order_id: str, shipment_id: str, moved: StoredOrder | None = None) -> None:
    """What the shipment's state owes, each part at most once however often this runs: the order's
    execution woken if its path changed, the customer's emails, the feedback schedule.

    `moved` is the order as this call's transaction left it, already listed, when its shipment alone
    decides what it owes (`_alone`). Waking the execution needs the order read after the write: the
    execution parks its token before it reads the order, so one of the two always sees the other's write
    and no change is left unattended. A move that leaves the path as it was (`next_step` None) wakes
    nothing, so its order as moved is enough."""
    order = moved if moved is not None and rounds.next_step(moved) is None else repo.load(order_id)
    shipment = order.shipment(shipment_id) if order else None
    if order is None or shipment is None:
        return
    if shipment.stock_pending:
        finish_stock(order_id, shipment_id)  # a first attempt stopped before all its stock moved
    wake(order)
    if moved is None:
        listing.refresh(order)
    notify_shipment(order, shipment_id)
    if status_of(order) == OrderStatus.CANCELLED and not order.cancelled_at:
        # A rejection that left no unit to ship: the order's one OrderCancelled (the same id however
        # often this runs).
        events.publish(order_id, "OrderCancelled", {"by": "partner_rejection"})
    if status_of(order) in followup.SCHEDULED_STATUSES:
        followup.schedule(order)


def shipments(partner_id: str, status: str, cursor: str | None) -> PartnerShipmentsPage:
    """A partner's shipments in one status, oldest first, 50 a page."""
    try:
        found, next_cursor = repo.partner_shipments(partner_id, status, PAGE_SIZE, cursor)
    except repo.BadCursor as error:
        raise InvalidCursor(
            "The cursor is not one this API gave out.",
            [{"field": "cursor", "message": "use the next_cursor of the previous page, with the same status"}],
        ) from error
    views = []
    for shipment in found:
        head = repo.header(shipment.order_id)
        if head is None:
            continue
        views.append(
            PartnerShipmentView.model_validate({**shipment.model_dump(), "shipping_address": head.shipping_address})
        )
    return PartnerShipmentsPage(shipments=views, next_cursor=next_cursor)
