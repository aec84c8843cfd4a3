"""Outgoing webhooks: what goes on the webhook queue, when a delivery is tried again, and the partners'
requests enqueued beside their emails.

A queue message is `{"target": "storefront" | "partner", "partner_id"?, "event": {...}}`: `event` is the
body the receiver gets, signed. The storefront's come from the bus through a rule (its input shapes them);
a partner's are put here, where its request or cancellation email is sent.

Schedule: a delivery counts when the receiver answers 2xx within `TIMEOUT_SECONDS`. Failed attempt `n`
is tried again `backoff(n)` later: 30 s doubling up to an hour. After `MAX_ATTEMPTS` the queue moves it to
the dead-letter queue: 12 attempts spread over about 5 hours (`window()`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from oms import aws, clock, events
from oms.admin_models import WebhookAttempt, WebhookAttemptsPage
from oms.errors import PartnerNotFound
from oms.http import InvalidRequest
from oms.models import PartnerShipmentView
from oms.notifications.catalogue import EmailKind
from oms.observability import logger
from oms.records import StoredOrder
from oms.repository import catalog, cursors
from oms.repository import webhooks as repository
from oms.settings import settings

TIMEOUT_SECONDS = 5
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
MAX_ATTEMPTS = 12  # the queue's maxReceiveCount
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

PARTNER_KINDS = (EmailKind.FULFILLMENT_REQUEST, EmailKind.PURCHASE_ORDER, EmailKind.CANCELLATION_REQUEST)


class Target(StrEnum):
    STOREFRONT = "storefront"
    PARTNER = "partner"


class Delivery(BaseModel):
    """One queue message: whom to deliver `event` to."""

    target: Target
    partner_id: str | None = None
    event: dict[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.event.get("event_id", ""))

    @property
    def event_type(self) -> str:
        return str(self.event.get("type", ""))


def backoff(attempt: int) -> int:
    """Seconds before the attempt after failed attempt `attempt` (1-based): 30 s doubling, at most an hour."""
    return int(min(FIRST_RETRY_SECONDS * 2 ** max(attempt - 1, 0), LONGEST_RETRY_SECONDS))


def window() -> int:
    """Seconds from the first attempt to the last."""
    return sum(backoff(attempt) for attempt in range(1, MAX_ATTEMPTS))


def body(event: dict[str, Any]) -> bytes:
    """The bytes sent and signed: compact JSON, the same for every attempt of a delivery."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def partner_event(order: StoredOrder, kind: EmailKind, shipment_id: str) -> dict[str, Any]:
    """A partner's request or cancellation (CONTRACT section 4); its id is the same for every run."""
    shipment = order.shipment(shipment_id)
    if shipment is None:
        raise ValueError(f"no shipment {shipment_id} in order {order.order_id}")
    view = PartnerShipmentView.model_validate({**shipment.model_dump(), "shipping_address": order.shipping_address})
    return {
        "type": kind.value,
        "event_id": events.event_id(order.order_id, kind.value, shipment_id),
        "sent_at": clock.iso(),
        "order_id": order.order_id,
        "shipment": view.model_dump(mode="json"),
    }


def tell_partner(order: StoredOrder, kind: EmailKind, shipment_id: str) -> bool:
    """Put the partner's `kind` for the shipment on the webhook queue if the partner has a webhook_url;
    True when it did. Called before the email is sent, so a step that fails here sends nothing and its
    retry enqueues again under the same event id."""
    shipment = order.shipment(shipment_id)
    partner = catalog.known_partner_record(shipment.partner_id) if shipment else None
    if partner is None or not partner.webhook_url:
        return False
    if not settings().webhook_queue_url:
        logger.warning("no webhook queue: the partner gets the email only", extra={"partner_id": partner.id})
        return False
    delivery = Delivery(target=Target.PARTNER, partner_id=partner.id, event=partner_event(order, kind, shipment_id))
    aws.client("sqs").send_message(QueueUrl=settings().webhook_queue_url, MessageBody=delivery.model_dump_json())
    return True


def attempts(partner_id: str | None, cursor: str | None, limit: int) -> WebhookAttemptsPage:
    """A partner's (or, for None, the storefront's) recent delivery attempts, newest first."""
    if partner_id is not None and catalog.partner(partner_id) is None:
        raise PartnerNotFound(f"No partner {partner_id}.")
    try:
        found, next_cursor = repository.page(partner_id, limit, cursor)
    except cursors.BadCursor as error:
        raise InvalidRequest.bad_cursor("for the same target") from error
    return WebhookAttemptsPage(attempts=[WebhookAttempt.model_validate(x) for x in found], next_cursor=next_cursor)
