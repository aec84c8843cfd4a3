"""The feedback request is set by whatever leaves an order shipped or delivered: a partner's update, and also
a customer's cancellation or an allocation round that cancels the last units still waiting."""

from __future__ import annotations

import pytest

from tests.scenario import DAY, Scenario, feedback_fired

TEE_AND_DESK = [{"sku": "TEE-RED-M", "quantity": 1}, {"sku": "DESK-OAK", "quantity": 1}]


def shipment_at(order: dict, partner_id: str) -> str:
    (shipment,) = [s["shipment_id"] for s in order["shipments"] if s["partner_id"] == partner_id]
    return str(shipment)


@pytest.mark.parametrize(
    ("moves", "status", "days"),
    [(["SHIPPED"], "SHIPPED", 21), (["SHIPPED", "DELIVERED"], "DELIVERED", 7)],
)
def test_a_cancellation_that_leaves_the_order_shipped_or_delivered_asks_for_feedback_in_time(
    oms: Scenario, moves: list[str], status: str, days: int
) -> None:
    order = oms.placed(lines=TEE_AND_DESK)
    for move in moves:
        oms.track("main-warehouse", shipment_at(order, "main-warehouse"), move)

    cancelled = oms.request("POST", f"/orders/{order['order_id']}/cancel")

    assert (cancelled.status, cancelled.json["status"]) == (200, status)
    assert feedback_fired(oms.advance(days * DAY - 3600)) == []
    assert feedback_fired(oms.advance(3600 + 60)) == [f"feedback-{order['order_id']}"]
    assert len(oms.emails("feedback_request", order["order_id"])) == 1


def test_a_round_that_cancels_the_last_waiting_units_of_a_shipped_order_asks_for_feedback(oms: Scenario) -> None:
    emptied = {"sku": "TEE-RED-M", "location": "east-3pl", "on_hand": 0}
    assert oms.request("POST", "/inventory/adjustments", emptied, key="admin").status == 200
    order = oms.placed(lines=TEE_AND_DESK, backorder_policy="cancel_unavailable")
    order_id = order["order_id"]
    oms.track("acme-vendor", shipment_at(order, "acme-vendor"), "SHIPPED")
    oms.track("main-warehouse", shipment_at(order, "main-warehouse"), "REJECTED", reason="other")

    oms.run_steps(order_id)

    assert oms.order(order_id)["status"] == "SHIPPED"
    assert feedback_fired(oms.advance(21 * DAY - 3600)) == []
    assert feedback_fired(oms.advance(3600 + 60)) == [f"feedback-{order_id}"]
    assert len(oms.emails("feedback_request", order_id)) == 1
