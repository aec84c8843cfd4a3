"""After delivery: the one feedback schedule per order, the feedback request, and the customer's answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from oms import clock, events, schedules, tokens
from oms.errors import FeedbackExists, OrderNotFound, TokenRejected
from oms.models import FeedbackIn, FeedbackStored
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.records import StoredOrder
from oms.repository import orders as repo
from oms.repository import secrets
from oms.settings import settings
from oms.statuses import SHIPPED_STATUSES, OrderState, OrderStatus
from oms.views import status_of

TOKEN_LIFETIME = timedelta(days=90)


def schedule_name(order_id: str) -> str:
    return f"feedback-{order_id}"


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def feedback_due(order: StoredOrder) -> datetime | None:
    """When to ask: days after the last delivery, or the fallback after the last shipment; None if not yet."""
    status = status_of(order)
    live = [s for s in order.shipments if s.status in SHIPPED_STATUSES]
    if not live:
        return None
    s = settings()
    if status == OrderStatus.DELIVERED:
        abroad = order.shipping_address.country != s.merchant_country
        days = s.feedback_delay_days_international if abroad else s.feedback_delay_days
        last = max(_parse(x.delivered_at) for x in live if x.delivered_at)
        return last + timedelta(days=days)
    if status == OrderStatus.SHIPPED:
        last = max(_parse(x.shipped_at) for x in live if x.shipped_at)
        return last + timedelta(days=s.feedback_fallback_days)
    return None


def _load(order_id: str) -> StoredOrder:
    order = repo.load(order_id)
    if order is None:
        raise OrderNotFound(f"No order {order_id}.")
    return order


# The order statuses that fix when to ask for feedback (`feedback_due`).
SCHEDULED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def schedule(order: StoredOrder) -> str | None:
    """Create or move the order's one feedback schedule; it deletes itself after it fires. Nothing while
    the order is not shipped or delivered, or once the request is sent."""
    order_id = order.order_id
    due = feedback_due(order)
    if due is None or order.email_sent(EmailKind.FEEDBACK_REQUEST):
        return None
    return schedules.at(schedule_name(order_id), due, settings().followup_function_arn, {"order_id": order_id})


def _key() -> bytes:
    return secrets.secret_value(settings().feedback_key_secret_arn).encode()


def request_feedback(order_id: str) -> bool:
    """Send the feedback request once, with a link only this order's customer can use."""
    order = _load(order_id)
    if order.state == OrderState.FAILED or status_of(order) == OrderStatus.CANCELLED:
        return False
    expires = int((clock.now() + TOKEN_LIFETIME).timestamp())
    url = f"{settings().public_base_url.rstrip('/')}/feedback/{tokens.issue(_key(), order_id, expires)}"
    sent = send(order, EmailKind.FEEDBACK_REQUEST, feedback_url=url, then=("FeedbackRequested", {}))
    if sent:
        events.publish(order_id, "FeedbackRequested", {})
    return sent


def order_of_token(token: str) -> StoredOrder:
    try:
        order_id = tokens.read(_key(), token, int(clock.now().timestamp()))
    except tokens.InvalidToken as error:
        raise TokenRejected("This feedback link is not valid or has expired.") from error
    order = repo.load(order_id)
    if order is None:
        raise TokenRejected("This feedback link is not valid or has expired.")
    return order


def give_feedback(token: str, answer: FeedbackIn) -> FeedbackStored:
    order_id = order_of_token(token).order_id
    if not repo.put_feedback(order_id, answer.rating, answer.comment):
        raise FeedbackExists("Feedback for this order was already given. Thank you!")
    events.publish(order_id, "FeedbackReceived", {"rating": answer.rating})
    return FeedbackStored(order_id=order_id, rating=answer.rating)
