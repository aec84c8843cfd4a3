"""Domain events on the EventBridge bus, for the storefront webhook and anyone else who listens."""

from __future__ import annotations

import json
import secrets
from typing import Any

from oms import aws, clock
from oms.observability import logger, metrics
from oms.settings import settings

SOURCE = "oms"


def publish(order_id: str, event_type: str, detail: dict[str, Any]) -> None:
    """Best effort: the order's own state is already written, so a lost event must not fail the step."""
    if not settings().event_bus_name:
        return
    body = {
        "type": event_type,
        "event_id": f"evt-{secrets.token_hex(8)}",
        "at": clock.iso(),
        "order_id": order_id,
        "detail": detail,
    }
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
