"""Forty orders from eight clients at once, then every shipment delivered at once: nothing answers 5xx."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.e2e.conftest import Client
from tests.e2e.test_order_story import _order

ORDERS, CLIENTS = 40, 8


def test_forty_concurrent_orders_end_delivered_or_cancelled_with_no_server_error(oms_local: Client) -> None:
    def place(n: int) -> Any:
        order = _order(backorder_policy="cancel_unavailable", external_ref=f"LOAD-{n}-{uuid.uuid4().hex[:8]}")
        return oms_local.call("POST", "/orders", order)

    with ThreadPoolExecutor(CLIENTS) as pool:
        placed = list(pool.map(place, range(ORDERS)))
    assert [answer.status for answer in placed] == [202] * ORDERS, [a.body for a in placed if a.status != 202]
    oms_local.settle()
    orders = [oms_local.call("GET", f"/orders/{answer.json['order_id']}").json for answer in placed]
    assert {order["status"] for order in orders} <= {"PROCESSING", "CANCELLED"}
    shipments = [(s["partner_id"], s["shipment_id"]) for order in orders for s in order["shipments"]]
    assert len(shipments) == sum(order["status"] == "PROCESSING" for order in orders) <= 15

    def deliver(shipment: tuple[str, str]) -> list[int]:
        partner_id, shipment_id = shipment
        extra = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
        statuses = []
        for status in ("ACCEPTED", "SHIPPED", "DELIVERED"):
            event = f"{shipment_id}-{status}"
            answer = oms_local.track(partner_id, shipment_id, status, event, settle=False, **extra)
            statuses.append(answer.status)
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        answered = [status for statuses in pool.map(deliver, shipments) for status in statuses]
    assert set(answered) <= {200, 202}, answered
    oms_local.settle()

    sfn = oms_local.aws("stepfunctions")
    [machine] = sfn.list_state_machines()["stateMachines"]
    for order in orders:
        final = oms_local.call("GET", f"/orders/{order['order_id']}").json["status"]
        assert final == ("CANCELLED" if order["status"] == "CANCELLED" else "DELIVERED"), order["order_id"]
        arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{order['order_id']}"
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", order["order_id"]
