"""The order list over HTTP, as an operator uses it: newest first, by status, by partner, page by page.

The stack is shared by the tier, so the orders here go to a partner of their own: a partner filter
sees only them."""

import uuid
from typing import Any

from tests.e2e.conftest import Client
from tests.e2e.test_order_story import _order

SHIPPED = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


def _own_partner(client: Client) -> tuple[str, str, str]:
    """A new third party holding the only stock of a new product: (partner id, its secret, the SKU)."""
    partner, secret, sku = f"list-3pl-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex, f"LIST-{uuid.uuid4().hex[:8]}".upper()
    body = {"id": partner, "kind": "THIRD_PARTY", "name": "List Fulfilment", "email": "ops@list.example",
            "secret": secret}  # fmt: skip
    assert client.call("PUT", f"/partners/{partner}", body, key="admin").status == 200
    assert client.call("PUT", f"/products/{sku}", {"sku": sku, "name": "Lamp"}, key="admin").status == 200
    counted = {"sku": sku, "location": partner, "on_hand": 10}
    assert client.call("POST", "/inventory/adjustments", counted, key="admin").status == 200
    return partner, secret, sku


def _pages(client: Client, query: str) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        answer = client.call("GET", f"/orders?{query}" + (f"&cursor={cursor}" if cursor else ""), key="admin")
        assert answer.status == 200, answer.body
        pages.append(answer.json["orders"])
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return pages


def _ids(client: Client, query: str) -> list[str]:
    return [order["order_id"] for page in _pages(client, query) for order in page]


def test_an_operator_finds_orders_newest_first_by_status_and_by_partner(oms_local: Client) -> None:
    partner, secret, sku = _own_partner(oms_local)
    placed = []
    for _ in range(5):
        answer = oms_local.call("POST", "/orders", _order(lines=[{"sku": sku, "quantity": 1}]))
        assert answer.status == 202, answer.body
        placed.append(answer.json["order_id"])
    oms_local.settle()
    shipment = {
        order_id: oms_local.call("GET", f"/orders/{order_id}").json["shipments"][0]["shipment_id"]
        for order_id in placed
    }
    oms_local.track(partner, shipment[placed[1]], "SHIPPED", f"{shipment[placed[1]]}-s", secret=secret, **SHIPPED)
    for status in ("SHIPPED", "DELIVERED"):
        oms_local.track(partner, shipment[placed[3]], status, f"{shipment[placed[3]]}-{status}", secret=secret,
                        **SHIPPED)  # fmt: skip

    pages = _pages(oms_local, f"partner_id={partner}&limit=2")

    newest_first = placed[::-1]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [order["order_id"] for page in pages for order in page] == newest_first
    assert {order["partner_ids"][0] for page in pages for order in page} == {partner}
    assert _ids(oms_local, f"partner_id={partner}&status=PROCESSING") == [placed[4], placed[2], placed[0]]
    assert _ids(oms_local, f"partner_id={partner}&status=SHIPPED") == [placed[1]]
    assert _ids(oms_local, f"partner_id={partner}&status=DELIVERED") == [placed[3]]
    for order_id in placed:
        listed = next(o for page in pages for o in page if o["order_id"] == order_id)
        assert listed["status"] == oms_local.call("GET", f"/orders/{order_id}").json["status"]

    everything = oms_local.call("GET", "/orders", key="admin").json["orders"]
    assert [o["order_id"] for o in everything if o["order_id"] in placed] == newest_first
    created = [o["created_at"] for o in everything]
    assert created == sorted(created, reverse=True)
    delivered = _ids(oms_local, "status=DELIVERED")
    assert placed[3] in delivered and not {placed[0], placed[1], placed[2], placed[4]} & set(delivered)


def test_the_order_list_refuses_the_storefront_key_and_a_cursor_of_other_filters(oms_local: Client) -> None:
    partner, _, sku = _own_partner(oms_local)
    for _ in range(2):
        assert oms_local.call("POST", "/orders", _order(lines=[{"sku": sku, "quantity": 1}])).status == 202
    oms_local.settle()
    cursor = oms_local.call("GET", f"/orders?partner_id={partner}&limit=1", key="admin").json["next_cursor"]

    storefront = oms_local.call("GET", f"/orders?partner_id={partner}", key="storefront")
    elsewhere = oms_local.call("GET", f"/orders?status=SHIPPED&cursor={cursor}", key="admin")
    unknown_status = oms_local.call("GET", "/orders?status=LOST", key="admin")

    assert (storefront.status, storefront.json["error"]["code"]) == (403, "forbidden")
    assert cursor is not None
    assert (elsewhere.status, elsewhere.json["error"]["code"]) == (400, "validation_error")
    assert (unknown_status.status, unknown_status.json["error"]["code"]) == (400, "validation_error")
    assert [d["field"] for d in unknown_status.json["error"]["details"]] == ["status"]
