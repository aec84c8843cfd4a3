"""Delivering webhooks: one queue message, one signed POST, one recorded attempt.

What happens to a message is the queue's: a delivery that failed is handed back with its next visibility
set to the backoff, and after `webhooks.MAX_ATTEMPTS` receives the queue's redrive policy moves it to the
dead-letter queue, from which an operator redrives it (`redrive`).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from oms import aws, clock
from oms.observability import logger, metrics
from oms.repository import catalog, secrets
from oms.repository import webhooks as attempts
from oms.settings import settings
from oms.signatures import HEADER, sign
from oms.webhooks import MAX_ATTEMPTS, TIMEOUT_SECONDS, Delivery, Target, backoff, body

EVENT_ID_HEADER = "X-OMS-Event-Id"
_ERROR_TEXT = 200  # what of a failure's message an attempt keeps
REDRIVE_LIMIT = 500  # messages one redrive moves, well within the admin API's timeout


@dataclass(frozen=True)
class Receiver:
    url: str | None
    secret: str | None


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None


def receiver(delivery: Delivery) -> Receiver:
    """Where the delivery goes and the secret it is signed with; no url when the target has none now."""
    if delivery.target == Target.STOREFRONT:
        url = settings().storefront_webhook_url
        return Receiver(url, secrets.secret_value(settings().storefront_webhook_secret_id) if url else None)
    partner = catalog.partner(delivery.partner_id or "")
    url = partner.webhook_url if partner else None
    current = secrets.accepted(partner.id) if partner and url else []
    return Receiver(url, current[0] if current else None)


def post(url: str, secret: str, delivery: Delivery) -> Outcome:
    """POST the signed event; delivered when the receiver answers 2xx within the timeout."""
    raw = body(delivery.event)
    request = urllib.request.Request(
        url,
        data=raw,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "OMS-Webhooks/1",
            # Freshness is checked against the receiver's real clock, so the signature uses real time.
            HEADER: sign(secret, raw, int(time.time())),
            EVENT_ID_HEADER: delivery.event_id,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - http(s) only
            code = int(answer.status)
    except urllib.error.HTTPError as refused:
        return Outcome(False, refused.code, f"HTTP {refused.code}")
    except (OSError, ValueError) as failed:
        return Outcome(False, None, f"{type(failed).__name__}: {failed}"[:_ERROR_TEXT])
    return Outcome(200 <= code < 300, code, None if 200 <= code < 300 else f"HTTP {code}")


def deliver(delivery: Delivery, attempt: int) -> int | None:
    """Try `delivery` for the `attempt`th time and record it; the seconds until it is tried again, or None
    when it needs no retry (delivered, dropped, or its last attempt, after which the queue dead-letters it)."""
    found = receiver(delivery)
    if not found.url or not found.secret:
        # The storefront's url unset, or the partner gone or without a webhook: nobody to tell.
        logger.info("webhook dropped: the target has no url or secret", extra={"event_id": delivery.event_id})
        metrics.add_metric(name="WebhooksDropped", unit="Count", value=1)
        return None
    if not found.url.startswith(("https://", "http://")):
        outcome = Outcome(False, None, "the url is not http(s)")
    else:
        outcome = post(found.url, found.secret, delivery)
    last = attempt >= MAX_ATTEMPTS
    retry_in = None if outcome.delivered or last else backoff(attempt)
    _record(delivery, found.url, attempt, outcome, retry_in)
    if outcome.delivered:
        metrics.add_metric(name="WebhooksDelivered", unit="Count", value=1)
        return None
    metrics.add_metric(name="WebhookAttemptsFailed", unit="Count", value=1)
    if last:
        metrics.add_metric(name="WebhooksDeadLettered", unit="Count", value=1)
        logger.error("webhook failed its last attempt: dead-lettered", extra={"event_id": delivery.event_id})
        return 0  # visible at once, so the queue moves it to the dead-letter queue now
    return retry_in


def _record(delivery: Delivery, url: str, attempt: int, outcome: Outcome, retry_in: int | None) -> None:
    now = clock.now()
    status = "delivered" if outcome.delivered else ("retrying" if retry_in is not None else "dead_lettered")
    item: dict[str, Any] = {
        "event_id": delivery.event_id,
        "type": delivery.event_type,
        "order_id": delivery.event.get("order_id"),
        "url": url,
        "at": clock.iso(now),
        "attempt": attempt,
        "status": status,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "next_attempt_at": clock.iso(now + timedelta(seconds=retry_in)) if retry_in is not None else None,
    }
    try:
        attempts.record(delivery.partner_id, item, int(now.timestamp()) + attempts.KEEP_SECONDS)
    except Exception:  # noqa: BLE001 - the delivery stands; only its record is missing
        logger.exception("webhook attempt not recorded", extra={"event_id": delivery.event_id})


def redrive() -> int:
    """Move the dead-letter queue's messages (up to REDRIVE_LIMIT) back to the webhook queue, where they
    start again from their first attempt; how many moved."""
    sqs = aws.client("sqs")
    dead, live = settings().webhook_dead_letter_queue_url, settings().webhook_queue_url
    moved = 0
    while moved < REDRIVE_LIMIT:
        found = sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60)
        messages = found.get("Messages", [])
        if not messages:
            return moved
        for message in messages:
            # Sent before deleted: a stop between the two delivers the event twice under one id, never not.
            sqs.send_message(QueueUrl=live, MessageBody=message["Body"])
            sqs.delete_message(QueueUrl=dead, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved
