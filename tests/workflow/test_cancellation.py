"""The customer's cancellation at every stage, and a partner's ship racing it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.chaos import chaos
from tests.scenario import Scenario, scenario
from tests.workflow.test_fulfilment_rounds import _seed, deliver, lines, live, receive, stock


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, _seed(), executions=True) as running:
        yield running


def cancel(oms: Scenario, order_id: str) -> Any:
    reply = oms.request("POST", f"/orders/{order_id}/cancel")
    oms.settle()
    return reply


def test_a_backordered_order_is_cancelled_and_leaves_the_queue(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "MUG-BLUE", "quantity": 2}])

    reply = cancel(oms, order["order_id"])

    assert reply.status == 200
    assert reply.json["status"] == "CANCELLED"
    assert lines(reply.json)["MUG-BLUE"]["cancelled"] == 2
    assert stock(oms, "MUG-BLUE")["backordered"] == 0
    assert len(oms.emails("order_cancelled", order["order_id"])) == 1
    assert oms.execution(order["order_id"])["status"] == "SUCCEEDED"
    receive(oms, "MUG-BLUE", 2)
    assert oms.order(order["order_id"])["status"] == "CANCELLED"
    assert stock(oms, "MUG-BLUE")["main-warehouse"]["available"] == 2


def test_a_dispatched_order_is_cancelled_its_stock_released_and_its_partner_told(oms: Scenario) -> None:
    order = oms.placed()

    reply = cancel(oms, order["order_id"])

    assert reply.status == 200 and reply.json["status"] == "CANCELLED"
    assert [s["status"] for s in reply.json["shipments"]] == ["CANCELLED"]
    assert lines(reply.json)["TEE-RED-M"] | {} == {
        "quantity": 2, "allocated": 0, "backordered": 0, "cancelled": 2, "shipped": 0, "delivered": 0,
    }  # fmt: skip
    assert stock(oms, "TEE-RED-M")["main-warehouse"]["reserved"] == 0
    [request] = oms.emails("cancellation_request", order["order_id"])
    assert request["to"] == ["pick@merchant.example"]
    assert len(oms.emails("order_cancelled", order["order_id"])) == 1
    assert "OrderCancelled" in [e["type"] for e in reply.json["timeline"]]
    assert oms.execution(order["order_id"])["status"] == "SUCCEEDED"


def test_a_cancelled_or_failed_order_answers_unchanged(oms: Scenario) -> None:
    order = oms.placed()
    first = cancel(oms, order["order_id"])

    again = cancel(oms, order["order_id"])

    assert again.status == 200 and again.json == first.json
    assert len(oms.emails("order_cancelled", order["order_id"])) == 1
    assert len(oms.emails("cancellation_request", order["order_id"])) == 1
    assert cancel(oms, "ORD-NOPE").status == 404


def test_a_partly_shipped_order_cancels_the_rest_and_waits_for_the_parcel(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 12}, {"sku": "MUG-BLUE", "quantity": 1}])
    order_id = order["order_id"]
    oms.track("main-warehouse", live(oms, order_id, "main-warehouse"), "SHIPPED")

    reply = cancel(oms, order_id)

    assert reply.status == 200
    assert reply.json["status"] == "SHIPPED"
    assert lines(reply.json)["TEE-RED-M"] | {} == {
        "quantity": 12, "allocated": 10, "backordered": 0, "cancelled": 2, "shipped": 10, "delivered": 0,
    }  # fmt: skip
    assert lines(reply.json)["MUG-BLUE"]["cancelled"] == 1
    assert stock(oms, "TEE-RED-M")["east-3pl"]["reserved"] == 0
    assert oms.emails("cancellation_request", order_id)[0]["to"] == ["orders@east3pl.example"]
    assert oms.execution(order_id)["status"] == "RUNNING"

    deliver(oms, order_id)
    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "DELIVERED")

    assert oms.order(order_id)["status"] == "DELIVERED"
    assert oms.execution(order_id)["status"] == "SUCCEEDED"


def test_a_fully_shipped_order_is_not_cancellable(oms: Scenario) -> None:
    order = oms.placed()
    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "SHIPPED")

    reply = cancel(oms, order["order_id"])

    assert reply.status == 409
    assert reply.json["error"]["code"] == "not_cancellable"
    assert oms.emails("order_cancelled", order["order_id"]) == []


def test_a_partners_ship_after_the_cancellation_wins(oms: Scenario) -> None:
    order = oms.placed()
    order_id = order["order_id"]
    shipment_id = order["shipments"][0]["shipment_id"]
    cancel(oms, order_id)

    assert oms.track("main-warehouse", shipment_id, "SHIPPED").status == 202

    after = oms.order(order_id)
    assert after["status"] == "SHIPPED"
    assert lines(after)["TEE-RED-M"] | {} == {
        "quantity": 2, "allocated": 2, "backordered": 0, "cancelled": 0, "shipped": 2, "delivered": 0,
    }  # fmt: skip
    assert stock(oms, "TEE-RED-M")["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 8, "reserved": 0, "available": 8,
    }  # fmt: skip
    assert len(oms.emails("shipment_shipped", order_id)) == 1

    oms.track("main-warehouse", shipment_id, "DELIVERED")

    assert oms.order(order_id)["status"] == "DELIVERED"
    assert len(oms.emails("shipment_delivered", order_id)) == 1


def test_a_cancellation_that_stopped_half_way_is_finished_by_the_next_call(oms: Scenario) -> None:
    order = oms.placed()
    with chaos(rate=1.0, services=["sesv2"]):
        first = cancel(oms, order["order_id"])
    assert first.status == 503
    assert oms.emails("order_cancelled", order["order_id"]) == []

    again = cancel(oms, order["order_id"])
    third = cancel(oms, order["order_id"])

    assert again.status == third.status == 200
    assert again.json["status"] == "CANCELLED"
    assert [s["status"] for s in again.json["shipments"]] == ["CANCELLED"]
    assert len(oms.emails("order_cancelled", order["order_id"])) == 1
    assert len(oms.emails("cancellation_request", order["order_id"])) == 1
    assert stock(oms, "TEE-RED-M")["main-warehouse"]["reserved"] == 0
    assert [e["type"] for e in third.json["timeline"]].count("OrderCancelled") == 1
