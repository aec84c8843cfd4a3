"""Dispatch: send a shipment's partner its request once, and hand the order's execution each move."""

from __future__ import annotations

from botocore.exceptions import ClientError

from oms import aws, clock
from oms.errors import ShipmentNotFound
from oms.fulfilment.common import load
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.repository import orders as repo
from oms.statuses import ShipmentKind, ShipmentStatus
from oms.steps import Progress

# A token already used, timed out or gone means the other side of the handshake resumed it first.
_SETTLED_TOKEN_ERRORS = ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")
_REQUEST_KIND = {ShipmentKind.DROPSHIP: EmailKind.PURCHASE_ORDER}


def dispatch(order_id: str, shipment_id: str, seen: ShipmentStatus, task_token: str) -> None:
    """Send the partner its request once, park the token; resume at once if the shipment moved meanwhile."""
    shipment = repo.park_token(order_id, shipment_id, task_token)
    if shipment is None:
        raise ShipmentNotFound(f"No shipment {shipment_id} in {order_id}.")
    if not shipment.requested_at:
        kind = _REQUEST_KIND.get(shipment.kind, EmailKind.FULFILLMENT_REQUEST)
        send(load(order_id), kind, shipment_id)
        repo.mark_requested(order_id, shipment_id, clock.iso())
        repo.append_event(order_id, "ShipmentSent", {"shipment_id": shipment_id, "partner_id": shipment.partner_id})
    if shipment.status != seen:
        resume(task_token, shipment.status)


def resume(task_token: str, status: ShipmentStatus) -> None:
    """Hand the execution the shipment's new status; a token already used is fine (the other side won)."""
    try:
        aws.client("stepfunctions").send_task_success(
            taskToken=task_token, output=Progress(status=status).model_dump_json()
        )
    except ClientError as error:
        if error.response["Error"]["Code"] not in _SETTLED_TOKEN_ERRORS:
            raise
