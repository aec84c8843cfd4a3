"""A partner's deadline: a shipment sent `partner_accept_hours` ago that its partner has neither accepted nor
shipped gets an exception (the customer is told once); one still silent after SILENT_FACTOR times as long
flags the order for operators. Neither fails the order: the partner can still ship, and its next forward
move clears the exception."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum

from oms import clock, events, schedules
from oms.fulfilment.notify import notify_shipment
from oms.observability import logger, metrics
from oms.records import StoredOrder, StoredShipment
from oms.repository import orders as repo
from oms.repository.transactions import PartnerEventOutcome, move_shipment
from oms.settings import settings
from oms.statuses import ShipmentStatus

# Operators hear of a partner that has said nothing for this many times its deadline.
SILENT_FACTOR = 3
DEADLINE_REASON = "Not yet confirmed by the warehouse or supplier; we are chasing it."


class Stage(IntEnum):
    DEADLINE = 1  # the partner's deadline passed: an exception, the customer told
    SILENT = 2  # still nothing much later: the order is flagged for operators


def schedule_name(shipment_id: str, stage: Stage) -> str:
    return f"deadline-{shipment_id}-{int(stage)}"


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def due(shipment: StoredShipment, stage: Stage) -> datetime:
    hours = settings().partner_accept_hours * (1 if stage == Stage.DEADLINE else SILENT_FACTOR)
    return _parse(shipment.requested_at or shipment.sent_at) + timedelta(hours=hours)


def schedule(shipment: StoredShipment, stage: Stage, target_arn: str) -> str:
    """Set the shipment's timer for `stage`, targeting the partner_deadline function."""
    payload = {"order_id": shipment.order_id, "shipment_id": shipment.shipment_id, "stage": int(stage)}
    return schedules.at(schedule_name(shipment.shipment_id, stage), due(shipment, stage), target_arn, payload)


def waiting_on_partner(shipment: StoredShipment) -> bool:
    """Sent, and neither accepted nor shipped (nor ended) since."""
    return shipment.status == ShipmentStatus.SENT and shipment.requested_at is not None


def still_waiting(order_id: str, shipment_id: str) -> bool:
    """Whether the shipment may still be waiting on its partner, from its own item alone: most timers
    fire after the partner moved on, and then the order need not be read at all."""
    item = repo.shipment_item(order_id, shipment_id)
    return item is not None and item.get("status") == ShipmentStatus.SENT.value


def passed(order: StoredOrder, shipment_id: str, stage: int, own_arn: str) -> bool:
    """The timer of `stage` fired: act if the partner is still silent; True when something was done."""
    stage = Stage(stage)
    shipment = order.shipment(shipment_id)
    if shipment is None or not waiting_on_partner(shipment):
        return False
    if stage == Stage.DEADLINE:
        return _deadline(order, shipment, own_arn)
    if order.attention and order.attention.get("shipment_id") == shipment_id:
        return False  # flagged already: the timer fired again
    repo.set_header(
        order.order_id,
        {"attention": {"reason": "partner_silent", "shipment_id": shipment_id, "at": clock.iso()}},
    )
    metrics.add_metric(name="PartnersSilent", unit="Count", value=1)
    logger.warning("a partner has said nothing about a shipment", extra={"shipment_id": shipment_id})
    return True


def _deadline(order: StoredOrder, shipment: StoredShipment, own_arn: str) -> bool:
    if shipment.exception is None:
        exception = {"reason": DEADLINE_REASON, "at": clock.iso()}
        detail = {"shipment_id": shipment.shipment_id, "reason": "partner_deadline_passed"}
        outcome = move_shipment(shipment, {"exception": exception}, ("ShipmentException", detail))
        if outcome != PartnerEventOutcome.APPLIED:
            return False  # the partner moved meanwhile: its move settles the shipment
        metrics.add_metric(name="PartnerDeadlinesMissed", unit="Count", value=1)
        events.publish(order.order_id, "ShipmentException", detail, f"{shipment.shipment_id}:partner_deadline")
    fresh = repo.load(order.order_id)
    if fresh is not None:
        notify_shipment(fresh, shipment.shipment_id)
    schedule(shipment, Stage.SILENT, own_arn)
    return True
