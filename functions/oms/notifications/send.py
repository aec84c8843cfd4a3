"""The one way OMS sends an email: at most once per (order, kind, shipment), through SES, both parts.

SES's answer decides what a failed send means. Throttling, a 5xx or a lost connection is transient
(`oms.aws` raises TransientError): the mark is given back and the step's retry sends it. A refusal of
this message or recipient is permanent for the email only: it is recorded as undeliverable on the
order's timeline, its mark stays so no retry sends it again, and the order goes on. Anything else is
SES refusing every email (the account, the sender, the configuration set): EmailConfigurationError.
"""

from __future__ import annotations

from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from botocore.exceptions import ClientError

from oms import addresses, aws, clock
from oms.branding import brand
from oms.errors import EmailConfigurationError
from oms.notifications.catalogue import EmailKind, render
from oms.notifications.compose import context, recipient
from oms.observability import logger, metrics
from oms.records import StoredOrder, TimelineEvent
from oms.repository import orders as repo
from oms.repository.dynamo import retried
from oms.settings import settings

# SES refusing this message or its recipient, by error code, and the reason the timeline gives.
UNDELIVERABLE = {
    "MessageRejected": "message_rejected",  # unless it names the sender: see _Refused.reason
    "BadRequestException": "address_refused",  # an address SES cannot take ("Illegal address")
    "InvalidParameterValue": "address_refused",  # the same, as SES v1 names it
}


class _Refused(Exception):
    """SES answered SendEmail with an error that is not transient."""

    def __init__(self, error: ClientError) -> None:
        self.code = aws.error_code(error)
        super().__init__(self.code)
        self.message = str(error.response.get("Error", {}).get("Message", ""))

    @property
    def reason(self) -> str | None:
        """The timeline's reason when SES refused this message or recipient; None when it refuses every
        email (a MessageRejected that names the sender: the sender's identity is not verified)."""
        reason = UNDELIVERABLE.get(self.code)
        sender = parseaddr(settings().sender)[1].lower()
        if reason == "message_rejected" and sender and sender in self.message.lower():
            return None
        return reason


def send(
    order: StoredOrder,
    kind: EmailKind,
    shipment_id: str | None = None,
    feedback_url: str | None = None,
    occurrence: str | None = None,
    then: tuple[str, dict[str, Any]] | None = None,
) -> bool:
    """Send `kind` for the order (and shipment) unless it was sent, or found undeliverable, before; True
    when it went out now. An `occurrence` (a shipment's exception, by when it began) makes each occurrence
    an email of its own. `then`, a timeline entry the email going out makes, is written with its EmailSent."""
    sent = send_unrecorded(order, kind, shipment_id, feedback_url, occurrence)
    if sent is None:
        return False
    record(order.order_id, sent, then)
    return True


def send_unrecorded(
    order: StoredOrder,
    kind: EmailKind,
    shipment_id: str | None = None,
    feedback_url: str | None = None,
    occurrence: str | None = None,
) -> TimelineEvent | None:
    """`send`, leaving its EmailSent entry (answered, None when nothing went out) for the caller to write
    with a write of its own; `record` writes it alone."""
    order_id = order.order_id
    mark = mark_of(shipment_id, occurrence)
    if order.email_sent(kind, mark):
        return None
    if not repo.claim_email(order_id, kind.value, mark):
        return None
    try:
        ctx, partner = context(order, shipment_id, feedback_url)
        to = addresses.ascii_form(recipient(kind, order, partner))
        rendered = render(kind, ctx, brand())
        _deliver(to, rendered.subject, rendered.text, rendered.html, kind, order_id, shipment_id)
    except _Refused as refused:
        if refused.reason is not None:
            _undeliverable(order_id, kind, shipment_id, to, refused)
            return None
        retried(lambda: repo.release_email(order_id, kind.value, mark))
        metrics.add_metric(name="EmailConfigurationFaults", unit="Count", value=1)
        logger.error("SES refuses every email", extra={"order_id": order_id, "kind": kind.value, "code": refused.code})
        raise EmailConfigurationError(f"SES refuses every email: {refused.code}") from refused
    except Exception:
        # Give the mark back so the step's retry sends it; a send that failed sent nothing. Retried in
        # place: a mark left behind by a throttled delete would keep the email from ever going out.
        retried(lambda: repo.release_email(order_id, kind.value, mark))
        raise
    # The email went out: whatever fails from here, the mark stays, or a retry would send it again.
    metrics.add_metric(name="EmailsSent", unit="Count", value=1)
    logger.info("email sent", extra={"order_id": order_id, "kind": kind.value, "shipment_id": shipment_id})
    detail = {"kind": kind.value, "to": to, "shipment_id": shipment_id}
    return TimelineEvent(at=clock.iso(), event_type="EmailSent", detail=detail)


def record(order_id: str, sent: TimelineEvent, then: tuple[str, dict[str, Any]] | None = None) -> None:
    """Write the EmailSent entry of an email that went out, with `then`, the entry its going out makes."""
    retried(lambda: repo.append_events(order_id, [(sent.event_type, sent.detail), *([then] if then else [])]))


def mark_of(shipment_id: str | None, occurrence: str | None = None) -> str | None:
    """What an email is kept once per, besides the order and kind."""
    return f"{shipment_id}@{occurrence}" if shipment_id and occurrence else shipment_id


def _undeliverable(order_id: str, kind: EmailKind, shipment_id: str | None, to: str, refused: _Refused) -> None:
    # The mark stays: the same message to the same address would be refused again, for ever.
    detail = {"kind": kind.value, "to": to, "shipment_id": shipment_id, "reason": refused.reason}
    repo.append_event(order_id, "EmailUndeliverable", detail)
    metrics.add_metric(name="EmailsUndeliverable", unit="Count", value=1)
    logger.warning(
        "email undeliverable",
        extra={"order_id": order_id, "kind": kind.value, "shipment_id": shipment_id, "code": refused.code},
    )


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
    try:
        aws.client("sesv2").send_email(**request)
    except ClientError as error:  # a transient one left the client as TransientError
        raise _Refused(error) from error
