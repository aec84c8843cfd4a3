"""Read the emails OMS sent back out of moto's SES, in the shape of the contract's local outbox."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from moto.ses.models import ses_backends

from local.aws.template import ACCOUNT_ID, REGION


def outbox(account_id: str = ACCOUNT_ID, region: str = REGION) -> list[dict[str, Any]]:
    """Every email sent so far, oldest first."""
    backend = ses_backends[account_id][region]
    return [_email(message) for message in list(backend.sent_messages)]


def _email(message: Any) -> dict[str, Any]:
    if hasattr(message, "raw_data"):
        return _raw_email(message)
    # Simple content: moto keeps one body, the HTML one when both parts were given.
    destinations = message.destinations
    body = message.body
    is_html = body.lstrip().startswith("<")
    return {
        "id": message.id,
        "to": list(destinations.get("ToAddresses", [])),
        "from": message.source,
        "subject": message.subject,
        "text": None if is_html else body,
        "html": body if is_html else None,
        "kind": None,
        "order_id": None,
        "shipment_id": None,
        "sent_at": getattr(message, "sent_at", None),
    }


def _raw_email(message: Any) -> dict[str, Any]:
    mime = email.message_from_string(message.raw_data, policy=email.policy.default)
    assert isinstance(mime, EmailMessage)
    to = [address for _, address in getaddresses(mime.get_all("To", []))] or _unique(message.destinations)
    return {
        "id": message.id,
        "to": to,
        "from": str(mime.get("From") or message.source),
        "subject": str(mime.get("Subject", "")),
        "text": _part(mime, "plain"),
        "html": _part(mime, "html"),
        "kind": _header(mime, "X-OMS-Kind"),
        "order_id": _header(mime, "X-OMS-Order-Id"),
        "shipment_id": _header(mime, "X-OMS-Shipment-Id"),
        "sent_at": getattr(message, "sent_at", None) or _date(mime),
    }


def _part(mime: EmailMessage, subtype: str) -> str | None:
    part = mime.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    return str(part.get_content())


def _header(mime: EmailMessage, name: str) -> str | None:
    value = mime.get(name)
    return str(value) if value not in (None, "", "-") else None


def _date(mime: EmailMessage) -> str | None:
    value = mime.get("Date")
    if not value:
        return None
    moment = parsedate_to_datetime(str(value))
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _unique(addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(address for _, address in getaddresses(addresses)))
