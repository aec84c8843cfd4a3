"""Forty one-unit orders from eight clients at once for a SKU with 25 units: 25 ship, 15 wait, none oversold."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import Client
from tests.e2e.stock import assert_stock_balanced
from tests.e2e.test_order_story import _order
from tests.scenario import Reply

STOCK, ORDERS, CLIENTS = 25, 40, 8


def test_concurrent_orders_take_exactly_the_units_there_are_and_backorder_the_rest(oms_local: Client) -> None:
    sku = f"MUG-{uuid.uuid4().hex[:8]}".upper()
    assert oms_local.call("PUT", f"/products/{sku}", {"sku": sku, "name": "Mug"}, key="admin").status == 200
    counted = {"sku": sku, "location": "main-warehouse", "on_hand": STOCK}
    assert oms_local.call("POST", "/inventory/adjustments", counted, key="admin").status == 200

    def place(_: int) -> Reply:
        order = _order(lines=[{"sku": sku, "quantity": 1}], backorder_policy="ship_available")
        return oms_local.call("POST", "/orders", order)

    with ThreadPoolExecutor(CLIENTS) as pool:
        placed = list(pool.map(place, range(ORDERS)))
    assert [answer.status for answer in placed] == [202] * ORDERS, [a.body for a in placed if a.status != 202]
    oms_local.settle()

    orders = [oms_local.call("GET", f"/orders/{answer.json['order_id']}").json for answer in placed]
    assert Counter(order["status"] for order in orders) == {"PROCESSING": STOCK, "BACKORDERED": ORDERS - STOCK}
    shipped = [(s["partner_id"], s["lines"]) for order in orders for s in order["shipments"]]
    assert shipped == [("main-warehouse", [{"sku": sku, "quantity": 1}])] * STOCK
    inventory = oms_local.call("GET", f"/inventory/{sku}", key="admin").json
    assert inventory["locations"] == [
        {"location": "main-warehouse", "on_hand": STOCK, "reserved": STOCK, "available": 0}
    ]
    assert inventory["backordered"] == ORDERS - STOCK
    assert_stock_balanced(oms_local, [sku])
