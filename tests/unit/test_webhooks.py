"""The webhook schedule, the bytes that are signed, and the ids events get from their causes."""

import json

from oms import events, webhooks
from oms.signatures import sign, verify


def test_the_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    delays = [webhooks.backoff(attempt) for attempt in range(1, webhooks.MAX_ATTEMPTS)]

    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]


def test_twelve_attempts_span_about_five_hours() -> None:
    assert webhooks.MAX_ATTEMPTS == 12
    assert webhooks.window() == 18210  # 5 h 3 min 30 s from the first attempt to the last


def test_an_event_id_is_the_same_for_the_same_cause_and_differs_for_another() -> None:
    first = events.event_id("ORD-1", "ShipmentShipped", "ORD-1-S1:evt-9")

    assert first == events.event_id("ORD-1", "ShipmentShipped", "ORD-1-S1:evt-9")
    assert first != events.event_id("ORD-1", "ShipmentShipped", "ORD-1-S2:evt-9")
    assert first != events.event_id("ORD-1", "ShipmentDelivered", "ORD-1-S1:evt-9")
    assert first != events.event_id("ORD-2", "ShipmentShipped", "ORD-1-S1:evt-9")


def test_the_envelope_has_the_contracts_fields() -> None:
    envelope = events.envelope("ORD-1", "OrderFailed", {"reason": "x"})

    assert set(envelope) == {"type", "event_id", "at", "order_id", "detail"}
    assert envelope["event_id"] == events.event_id("ORD-1", "OrderFailed")


def test_the_signed_body_is_compact_json_that_verifies_with_the_secret() -> None:
    event = {"type": "OrderFailed", "event_id": "evt-1", "order_id": "ORD-1", "detail": {"reason": "é"}}
    raw = webhooks.body(event)

    header = sign("the-secret", raw, 1_800_000_000)

    assert json.loads(raw) == event and b" " not in raw
    verify("the-secret", raw, header, 1_800_000_000)


def test_a_queue_message_names_its_target() -> None:
    message = webhooks.Delivery.model_validate_json(
        '{"target": "storefront", "event": {"type": "OrderAllocated", "event_id": "evt-1"}}'
    )

    assert (message.target, message.partner_id, message.event_id) == (webhooks.Target.STOREFRONT, None, "evt-1")
