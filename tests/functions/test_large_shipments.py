"""A shipment of more lines than one transaction holds: its stock moves once, exactly, even when the
call that moves it stops half way."""

from __future__ import annotations

from typing import Any

from local.faults import cancelled_transactions, conditioned_on
from oms.repository import inventory
from oms.repository.dynamo import RETRY_ATTEMPTS
from tests.scenario import Scenario

LINES = 100


def _stock_up(oms: Scenario) -> list[str]:
    skus = [f"BIG-{n:03d}" for n in range(LINES)]
    for sku in skus:
        assert oms.request(
            "PUT", f"/products/{sku}", {"sku": sku, "name": sku, "fulfillment": "STOCKED"}, key="admin"
        ).status in (200, 201)
        body = {"sku": sku, "location": "main-warehouse", "on_hand": 3}
        assert oms.request("POST", "/inventory/adjustments", body, key="admin").status == 200
    return skus


def _counts(skus: list[str]) -> set[tuple[int, int, int]]:
    stock = inventory.stock(skus)
    return {(c["on_hand"], c["reserved"], c["available"]) for sku in skus for c in stock[sku].values()}


def _big_order(oms: Scenario) -> dict[str, Any]:
    skus = _stock_up(oms)
    order = oms.placed(lines=[{"sku": sku, "quantity": 2} for sku in skus])
    assert _counts(skus) == {(3, 2, 1)}
    return order


def test_shipping_a_hundred_lines_moves_every_units_stock_once(oms: Scenario) -> None:
    order = _big_order(oms)
    skus = [x["sku"] for x in order["lines"]]

    assert oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "SHIPPED").status == 202

    assert _counts(skus) == {(1, 0, 1)}
    assert oms.order(order["order_id"])["status"] == "SHIPPED"


def test_a_ship_whose_stock_moves_stop_half_way_is_finished_by_the_partners_retry(oms: Scenario) -> None:
    order = _big_order(oms)
    skus = [x["sku"] for x in order["lines"]]
    shipment_id = order["shipments"][0]["shipment_id"]

    with cancelled_transactions(conditioned_on("stock_done"), times=RETRY_ATTEMPTS + 1):
        first = oms.track("main-warehouse", shipment_id, "SHIPPED", event_id="evt-ship")

    assert first.status == 503  # the partner is told to send it again
    assert oms.order(order["order_id"])["shipments"][0]["status"] == "SHIPPED"

    again = oms.track("main-warehouse", shipment_id, "SHIPPED", event_id="evt-ship")

    assert again.status == 200 and again.json == {"applied": False}
    assert _counts(skus) == {(1, 0, 1)}
    assert len(oms.emails("shipment_shipped", order["order_id"])) == 1


def test_cancelling_a_hundred_line_shipment_releases_every_reservation_once(oms: Scenario) -> None:
    order = _big_order(oms)
    skus = [x["sku"] for x in order["lines"]]

    reply = oms.request("POST", f"/orders/{order['order_id']}/cancel")

    assert reply.status == 200 and reply.json["status"] == "CANCELLED"
    assert _counts(skus) == {(3, 0, 3)}
