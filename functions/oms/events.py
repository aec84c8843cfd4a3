"""Domain events on the EventBridge bus, for the storefront webhook and anyone else who listens.

An event's id is derived from its cause (the order, the event's type, and what made it happen: a round,
a shipment, a partner's update), never drawn at random: a step that runs twice publishes the same id,
and a receiver that deduplicates on `event_id` sees each happening once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from oms import aws, clock
from oms.observability import logger, metrics
from oms.settings import settings

SOURCE = "oms"


def event_id(order_id: str, event_type: str, cause: str = "") -> str:
    """The id of the `event_type` event of `order_id` that `cause` made happen; the same on every run."""
    digest = hashlib.sha256(f"{order_id}|{event_type}|{cause}".encode()).hexdigest()
    return f"evt-{digest[:32]}"


def envelope(order_id: str, event_type: str, detail: dict[str, Any], cause: str = "") -> dict[str, Any]:
    """The event as the bus carries it and the storefront receives it (CONTRACT section 4)."""
    return {
        "type": event_type,
        "event_id": event_id(order_id, event_type, cause),
        "at": clock.iso(),
        "order_id": order_id,
        "detail": detail,
    }


def publish(order_id: str, event_type: str, detail: dict[str, Any], cause: str = "") -> None:
    """Best effort: the order's own state is already written, so a lost event must not fail the step.

    `cause` tells apart the events of one type that an order can have several of (a round, a shipment,
    a partner's update); an event an order has once (OrderCancelled, OrderFailed) needs none."""
    if not settings().event_bus_name:
        return
    body = envelope(order_id, event_type, detail, cause)
    try:
        aws.client("events").put_events(
            Entries=[
                {
                    "EventBusName": settings().event_bus_name,
                    "Source": SOURCE,
                    "DetailType": event_type,
                    "Detail": json.dumps(body),
                    "Resources": [],
                }
            ]
        )
    except Exception:  # noqa: BLE001 - logged and counted; the step itself succeeded
        logger.exception("domain event not published", extra={"order_id": order_id, "type": event_type})
        metrics.add_metric(name="DomainEventsNotPublished", unit="Count", value=1)
