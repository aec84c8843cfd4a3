"""Dispatch and the order's wake-up: partners are sent their requests once, then the order's execution
waits on one task token until its path changes (units to allocate again, or nothing left to wait for).

The per-status work of a shipment (emails, the feedback schedule) runs where the partner's update arrives
(`oms.tracking`); the execution is woken only when it has something to do.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from oms import aws, clock, deadlines, events, followup, webhooks
from oms.deadlines import Stage
from oms.fulfilment.common import load, shipment_of
from oms.fulfilment.rounds import next_step
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import record, send, send_unrecorded
from oms.observability import logger
from oms.records import StoredOrder, StoredShipment, TimelineEvent
from oms.repository import orders as repo
from oms.settings import settings
from oms.statuses import ShipmentKind, ShipmentStatus
from oms.steps import Next, Wake

# A token already used, timed out or gone means the other side of the handshake resumed it first.
_SETTLED_TOKEN_ERRORS = ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")
_REQUEST_KIND = {ShipmentKind.DROPSHIP: EmailKind.PURCHASE_ORDER}
_REQUEST_KINDS = (EmailKind.FULFILLMENT_REQUEST, EmailKind.PURCHASE_ORDER)


def dispatch(order_id: str, shipment_ids: list[str], task_token: str) -> None:
    """Send each shipment's partner its request once, park the token; resume at once if the order's
    path changed meanwhile.

    The token is parked before the order is read, and every writer that changes the path writes before
    it reads the token (`wake`): whichever runs second sees the other's write, so the execution is never
    left waiting on an order that needs it."""
    order = load(order_id)
    parked = False
    for shipment_id in shipment_ids:
        shipment = shipment_of(order, shipment_id)
        if shipment.status != ShipmentStatus.SENT or order.cancelled_at:
            continue
        if not shipment.requested_at:
            kind = _REQUEST_KIND.get(shipment.kind, EmailKind.FULFILLMENT_REQUEST)
            webhooks.tell_partner(order, kind, shipment_id)
            sent = send_unrecorded(order, kind, shipment_id)
            requested = clock.iso()
            # The last request recorded parks the token in the same write: every request is out by then.
            park = task_token if shipment_id == shipment_ids[-1] else None
            if _record_request(shipment, requested, park, sent):
                shipment = shipment.model_copy(update={"requested_at": requested})
                parked = park is not None
            else:  # a run alongside recorded it first, at its own time
                shipment = shipment_of(load(order_id), shipment_id)
        # Published and the partner's deadline set again by a run that follows one that stopped before
        # them: the event keeps its id (receivers ignore a repeat), the timer fires whatever happens and
        # finds nothing to do if the partner moved on.
        events.publish(order_id, *_sent(shipment), shipment_id)
        deadlines.schedule(shipment, Stage.DEADLINE, settings().deadline_function_arn)
    if not parked:
        repo.park_wake_token(order_id, task_token)
    now = load(order_id)
    tell_partners(now)  # a shipment cancelled while its request went out: the partner hears of both
    # A round that cancelled the last waiting units can leave the order shipped: no partner update may follow.
    followup.schedule(now)
    step = next_step(now)
    if step is not None:
        resume(task_token, step)


def _record_request(shipment: StoredShipment, at: str, park: str | None, sent: TimelineEvent | None) -> bool:
    """Record the shipment's request (`repo.mark_requested`) with `sent`, the EmailSent entry of its email
    if this run sent it, in the same write; False when a run alongside recorded the request first. The
    entry is written alone when that write does not take it (refused, or failed: the step's retry will not
    send the email again, so it would never be written). Only a run that stops dead before writing loses
    it, as a run stopping between the send and a write of its own would."""
    recorded = False
    try:
        recorded = repo.mark_requested(
            shipment.order_id, shipment.shipment_id, at, _sent(shipment), park=park, sent=sent
        )
    finally:
        if sent is not None and not recorded:
            record(shipment.order_id, sent)
    return recorded


def _sent(shipment: StoredShipment) -> tuple[str, dict[str, Any]]:
    return "ShipmentSent", {"shipment_id": shipment.shipment_id, "partner_id": shipment.partner_id}


def tell_partners(order: StoredOrder) -> list[str]:
    """A cancellation_request, once, to the partner of every cancelled shipment it was asked to send."""
    told = []
    for shipment in order.shipments:
        if shipment.status != ShipmentStatus.CANCELLED:
            continue
        asked = any(order.email_sent(kind, shipment.shipment_id) for kind in _REQUEST_KINDS)
        if not asked or order.email_sent(EmailKind.CANCELLATION_REQUEST, shipment.shipment_id):
            continue
        # The webhook before the email: a step that stops between them sends both again on its retry,
        # the webhook under the same event id.
        webhooks.tell_partner(order, EmailKind.CANCELLATION_REQUEST, shipment.shipment_id)
        if send(order, EmailKind.CANCELLATION_REQUEST, shipment.shipment_id):
            told.append(shipment.shipment_id)
    return told


def wake(order: StoredOrder) -> None:
    """Wake the order's execution if its path changed; `order` is read after the caller's write."""
    step = next_step(order)
    if step is None:
        return
    if order.wake_token:
        resume(order.wake_token, step)
    else:
        logger.info("no execution waiting yet: it will see the change when it parks", extra={"next": step})


def resume(task_token: str, step: Next) -> None:
    """Hand the execution where it goes next; a token already used is fine (the other side won)."""
    try:
        aws.client("stepfunctions").send_task_success(taskToken=task_token, output=Wake(next=step).model_dump_json())
    except ClientError as error:
        if error.response["Error"]["Code"] not in _SETTLED_TOKEN_ERRORS:
            raise
