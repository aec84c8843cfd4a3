"""The one way OMS sends an email: at most once per (order, kind, shipment), through SES, both parts."""

from __future__ import annotations

from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from typing import Any

from botocore.exceptions import ClientError

from oms import addresses, aws
from oms.errors import TransientError
from oms.notifications.catalogue import EmailKind, render
from oms.notifications.compose import context, recipient
from oms.observability import logger, metrics
from oms.records import StoredOrder
from oms.repository import orders as repo
from oms.settings import settings


def send(
    order: StoredOrder,
    kind: EmailKind,
    shipment_id: str | None = None,
    feedback_url: str | None = None,
    occurrence: str | None = None,
) -> bool:
    """Send `kind` for the order (and shipment) unless it was sent before; True when it went out now.
    An `occurrence` (a shipment's exception, by when it began) makes each occurrence an email of its own."""
    order_id = order.order_id
    mark = mark_of(shipment_id, occurrence)
    if order.email_sent(kind, mark):
        return False
    if not repo.claim_email(order_id, kind.value, mark):
        return False
    try:
        ctx, partner = context(order, shipment_id, feedback_url)
        to = addresses.ascii_form(recipient(kind, order, partner))
        rendered = render(kind, ctx)
        _deliver(to, rendered.subject, rendered.text, rendered.html, kind, order_id, shipment_id)
    except Exception as error:
        # Give the mark back so the step's retry sends it; a send that failed sent nothing.
        repo.release_email(order_id, kind.value, mark)
        if isinstance(error, ClientError):
            raise TransientError(f"SES refused {kind} for {order_id}: {error}") from error
        raise
    repo.append_event(order_id, "EmailSent", {"kind": kind.value, "to": to, "shipment_id": shipment_id})
    metrics.add_metric(name="EmailsSent", unit="Count", value=1)
    logger.info("email sent", extra={"order_id": order_id, "kind": kind.value, "shipment_id": shipment_id})
    return True


def mark_of(shipment_id: str | None, occurrence: str | None = None) -> str | None:
    """What an email is kept once per, besides the order and kind."""
    return f"{shipment_id}@{occurrence}" if shipment_id and occurrence else shipment_id


def _deliver(
    to: str, subject: str, text: str, html: str, kind: EmailKind, order_id: str, shipment_id: str | None
) -> None:
    sender = settings().sender
    message = MIMEMultipart("alternative")
    message["Subject"] = subject
    # The merchant's own address as configured (a display name, if wanted, goes in the setting itself).
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "oms.local")
    message["X-OMS-Kind"] = kind.value
    message["X-OMS-Order-Id"] = order_id
    if shipment_id:
        message["X-OMS-Shipment-Id"] = shipment_id
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    request: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": message.as_bytes()}},
        "EmailTags": [{"Name": "kind", "Value": kind.value}, {"Name": "order_id", "Value": order_id.replace("-", "_")}],
    }
    if settings().ses_configuration_set:
        request["ConfigurationSetName"] = settings().ses_configuration_set
    aws.client("sesv2").send_email(**request)
