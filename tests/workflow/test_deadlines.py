"""Partners that answer late, or never, and exceptions told once each: all on the local clock."""

from __future__ import annotations

from typing import Any

from local.faults import cancelled_transactions, conditioned_on
from tests.scenario import DAY, Scenario

HOUR = DAY // 24


def exception_of(oms: Scenario, order_id: str) -> Any:
    return oms.order(order_id)["shipments"][0]["exception"]


def header(order_id: str) -> Any:
    from oms.repository import orders

    return orders.header(order_id)


def test_a_partner_silent_past_its_deadline_gets_an_exception_and_the_customer_one_email(oms: Scenario) -> None:
    order = oms.placed()
    order_id = order["order_id"]

    assert oms.advance(47 * HOUR)["fired"] == []
    assert exception_of(oms, order_id) is None

    fired = oms.advance(1 * HOUR)["fired"]

    assert fired == [f"deadline-{order_id}-S1-1"]
    assert exception_of(oms, order_id)["reason"].startswith("Not yet confirmed")
    [email] = oms.emails("shipment_exception", order_id)
    assert email["to"] == ["ada@example.com"]
    assert "ShipmentException" in [e["type"] for e in oms.order(order_id)["timeline"]]
    assert oms.order(order_id)["status"] == "PROCESSING"

    # the partner can still ship; its move clears the exception
    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "SHIPPED")

    assert exception_of(oms, order_id) is None
    assert oms.order(order_id)["status"] == "SHIPPED"
    oms.advance(5 * DAY)  # the later timer fires and finds nothing to chase
    assert header(order_id).attention is None
    assert len(oms.emails("shipment_exception", order_id)) == 1


def test_a_partner_that_never_answers_flags_the_order_for_operators_and_never_fails_it(oms: Scenario) -> None:
    order = oms.placed()
    order_id = order["order_id"]

    oms.advance(48 * HOUR)
    fired = oms.advance(96 * HOUR)["fired"]

    assert fired == [f"deadline-{order_id}-S1-2"]
    assert header(order_id).attention == {
        "reason": "partner_silent", "shipment_id": f"{order_id}-S1", "at": header(order_id).attention["at"],
    }  # fmt: skip
    assert oms.order(order_id)["status"] == "PROCESSING"
    assert oms.execution(order_id)["status"] == "RUNNING"
    assert len(oms.emails("shipment_exception", order_id)) == 1


def test_an_accepted_shipment_has_no_deadline_to_miss(oms: Scenario) -> None:
    order = oms.placed()
    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "ACCEPTED")

    oms.advance(7 * DAY)

    assert exception_of(oms, order["order_id"]) is None
    assert oms.emails("shipment_exception", order["order_id"]) == []


def test_each_exception_is_told_once_however_soon_it_follows_another_update(oms: Scenario) -> None:
    order = oms.placed()
    order_id, shipment_id = order["order_id"], order["shipments"][0]["shipment_id"]

    oms.track("main-warehouse", shipment_id, "ACCEPTED")
    oms.track("main-warehouse", shipment_id, "EXCEPTION", reason="Address needs a flat number")
    oms.track("main-warehouse", shipment_id, "EXCEPTION", reason="Still waiting for the flat number")

    assert len(oms.emails("shipment_exception", order_id)) == 1
    assert exception_of(oms, order_id)["reason"] == "Still waiting for the flat number"

    oms.track("main-warehouse", shipment_id, "SHIPPED")
    oms.track("main-warehouse", shipment_id, "EXCEPTION", reason="Weather delay")

    emails = oms.emails("shipment_exception", order_id)
    assert len(emails) == 2
    assert "Weather delay" in emails[1]["text"]


def test_a_dispatch_that_stops_after_the_request_went_out_still_sets_the_deadline(oms: Scenario) -> None:
    with cancelled_transactions(conditioned_on("requested_at")) as fault:
        order = oms.placed()
    order_id = order["order_id"]

    assert fault.injected == 1
    assert [e["type"] for e in order["timeline"]].count("ShipmentSent") == 1
    assert len(oms.emails("fulfillment_request", order_id)) == 1
    # The email's timeline entry, which goes in the refused write, is written on its own.
    sent = [e for e in order["timeline"] if e["type"] == "EmailSent"]
    assert [e["detail"]["kind"] for e in sent].count("fulfillment_request") == 1
    assert oms.advance(48 * HOUR)["fired"] == [f"deadline-{order_id}-S1-1"]
    assert len(oms.emails("shipment_exception", order_id)) == 1
