"""After delivery: the one feedback schedule per order, the feedback request, and the customer's answer."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from oms import aws, clock, events, tokens
from oms.errors import FeedbackExists, OrderNotFound, TokenRejected
from oms.models import FeedbackIn, FeedbackStored
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.repository import catalog
from oms.repository import orders as repo
from oms.repository.orders import OrderBundle
from oms.settings import settings
from oms.statuses import SHIPPED_STATUSES, OrderStatus
from oms.views import status_of

TOKEN_LIFETIME = timedelta(days=90)


def schedule_name(order_id: str) -> str:
    return f"feedback-{order_id}"


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def feedback_due(bundle: OrderBundle) -> datetime | None:
    """When to ask: days after the last delivery, or the fallback after the last shipment; None if not yet."""
    status = status_of(bundle)
    live = [s for s in bundle.shipments if s["status"] in SHIPPED_STATUSES]
    if not live:
        return None
    s = settings()
    if status == OrderStatus.DELIVERED:
        abroad = bundle.header["shipping_address"]["country"] != s.merchant_country
        days = s.feedback_delay_days_international if abroad else s.feedback_delay_days
        last = max(_parse(x["delivered_at"]) for x in live if x.get("delivered_at"))
        return last + timedelta(days=days)
    if status == OrderStatus.SHIPPED:
        last = max(_parse(x["shipped_at"]) for x in live if x.get("shipped_at"))
        return last + timedelta(days=s.feedback_fallback_days)
    return None


def schedule(order_id: str) -> str | None:
    """Create or move the order's one feedback schedule; it deletes itself after it fires."""
    bundle = repo.load(order_id)
    if bundle is None:
        raise OrderNotFound(f"No order {order_id}.")
    due = feedback_due(bundle)
    if due is None or f"{EmailKind.FEEDBACK_REQUEST.value}#-" in bundle.emails:
        return None
    s = settings()
    request: dict[str, Any] = {
        "Name": schedule_name(order_id),
        "GroupName": s.schedule_group_name,
        "ScheduleExpression": f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": s.followup_function_arn,
            "RoleArn": s.scheduler_role_arn,
            "Input": json.dumps({"order_id": order_id}),
        },
    }
    scheduler = aws.client("scheduler")
    try:
        scheduler.create_schedule(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConflictException":
            raise
        scheduler.update_schedule(**request)
    return str(request["ScheduleExpression"])


def _key() -> bytes:
    return catalog.secret_value(settings().feedback_key_secret_arn).encode()


def request_feedback(order_id: str) -> bool:
    """Send the feedback request once, with a link only this order's customer can use."""
    bundle = repo.load(order_id)
    if bundle is None:
        raise OrderNotFound(f"No order {order_id}.")
    if bundle.header.get("state") == "FAILED" or status_of(bundle) == OrderStatus.CANCELLED:
        return False
    expires = int((clock.now() + TOKEN_LIFETIME).timestamp())
    url = f"{settings().public_base_url.rstrip('/')}/feedback/{tokens.issue(_key(), order_id, expires)}"
    sent = send(bundle, EmailKind.FEEDBACK_REQUEST, feedback_url=url)
    if sent:
        repo.append_event(order_id, "FeedbackRequested", {})
        events.publish(order_id, "FeedbackRequested", {})
    return sent


def order_of_token(token: str) -> OrderBundle:
    try:
        order_id = tokens.read(_key(), token, int(clock.now().timestamp()))
    except tokens.InvalidToken as error:
        raise TokenRejected("This feedback link is not valid or has expired.") from error
    bundle = repo.load(order_id)
    if bundle is None:
        raise TokenRejected("This feedback link is not valid or has expired.")
    return bundle


def give_feedback(token: str, answer: FeedbackIn) -> FeedbackStored:
    bundle = order_of_token(token)
    order_id = bundle.header["order_id"]
    if not repo.put_feedback(order_id, answer.rating, answer.comment):
        raise FeedbackExists("Feedback for this order was already given. Thank you!")
    events.publish(order_id, "FeedbackReceived", {"rating": answer.rating})
    return FeedbackStored(order_id=order_id, rating=answer.rating)
