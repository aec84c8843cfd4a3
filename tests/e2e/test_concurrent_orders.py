"""Forty orders from eight clients at once, then every shipment delivered at once: nothing answers 5xx.

The orders are of the drop-shipped desk: each is one shipment to its vendor whatever the interleaving,
and the session's other tests keep the stocked tees they count on.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.e2e.conftest import Client
from tests.e2e.test_order_story import _order

ORDERS, CLIENTS = 40, 8


def test_forty_concurrent_orders_are_delivered_with_no_server_error(oms_local: Client) -> None:
    def place(n: int) -> Any:
        order = _order(lines=[{"sku": "DESK-OAK", "quantity": 1}], external_ref=f"LOAD-{n}-{uuid.uuid4().hex[:8]}")
        return oms_local.call("POST", "/orders", order)

    with ThreadPoolExecutor(CLIENTS) as pool:
        placed = list(pool.map(place, range(ORDERS)))
    assert [answer.status for answer in placed] == [202] * ORDERS, [a.body for a in placed if a.status != 202]
    oms_local.settle()
    orders = [oms_local.call("GET", f"/orders/{answer.json['order_id']}").json for answer in placed]
    assert {order["status"] for order in orders} == {"PROCESSING"}
    shipments = [(s["partner_id"], s["shipment_id"]) for order in orders for s in order["shipments"]]
    assert [partner for partner, _ in shipments] == ["acme-vendor"] * ORDERS

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
        assert final == "DELIVERED", order["order_id"]
        arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{order['order_id']}"
        assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", order["order_id"]
