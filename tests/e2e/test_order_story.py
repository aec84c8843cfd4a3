"""The foundation's story over HTTP, as a storefront, a partner and a customer live it."""

import copy
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from local.cli import EXAMPLE_ORDER
from tests.e2e.conftest import Client
from tests.scenario import feedback_fired

DAY = 24 * 3600


def _order(**changes: Any) -> dict[str, Any]:
    """The CLI's example order, one unit, under a ref of its own (the session's stack is shared)."""
    order = copy.deepcopy(EXAMPLE_ORDER)
    order.update(external_ref=f"SHOP-{uuid.uuid4().hex[:10]}", lines=[{"sku": "TEE-RED-M", "quantity": 1}])
    order.update(changes)
    return order


def _place(client: Client, **changes: Any) -> dict[str, Any]:
    answer = client.call("POST", "/orders", _order(**changes))
    assert answer.status == 202, answer.body
    assert answer.headers["Location"] == f"/orders/{answer.json['order_id']}"
    client.settle()
    return client.call("GET", f"/orders/{answer.json['order_id']}").json


def test_an_order_lives_from_placement_to_feedback(oms_local: Client) -> None:
    order = _place(oms_local)
    order_id, shipment_id = order["order_id"], order["shipments"][0]["shipment_id"]
    assert order["status"] == "PROCESSING"
    assert len(oms_local.outbox("order_confirmed", order_id)) == 1
    assert oms_local.outbox("fulfillment_request", order_id)[0]["to"] == ["pick@merchant.example"]

    for n, status in enumerate(["ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED"]):
        extra = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"} if status == "SHIPPED" else {}
        answer = oms_local.track("main-warehouse", shipment_id, status, f"{shipment_id}-{n}", **extra)
        assert (answer.status, answer.json) == (202, {"applied": True})

    delivered = oms_local.call("GET", f"/orders/{order_id}").json
    assert delivered["status"] == "DELIVERED"
    [shipped] = oms_local.outbox("shipment_shipped", order_id)
    assert "1Z999AA10123456784" in shipped["text"] and "ups.com" in shipped["html"]
    assert len(oms_local.outbox("shipment_delivered", order_id)) == 1

    fired = feedback_fired(oms_local.advance(7 * DAY + 60))
    assert f"feedback-{order_id}" in fired
    [request] = oms_local.outbox("feedback_request", order_id)
    link = re.search(r"(http://127\.0\.0\.1:\d+)(/feedback/\S+)", request["text"])
    assert link and link.group(1) == oms_local.url

    page = oms_local.call("GET", link.group(2), key=None)
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    first = oms_local.call(
        "POST",
        link.group(2),
        key=None,
        raw=b"rating=5&comment=Perfect",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    again = oms_local.call("POST", link.group(2), {"rating": 1}, key=None)
    assert (first.status, again.status, again.json["error"]["code"]) == (201, 409, "feedback_exists")


def test_every_error_the_story_can_meet_is_the_contract_envelope(oms_local: Client) -> None:
    order = _place(oms_local)
    shipment_id = order["shipments"][0]["shipment_id"]
    cases = {
        "no key": (oms_local.call("POST", "/orders", _order(), key=None), 403, "forbidden"),
        "unknown key": (
            oms_local.call("POST", "/orders", _order(), key=None, headers={"x-api-key": "nope"}),
            403,
            "forbidden",
        ),
        "unknown route": (oms_local.call("GET", "/nowhere"), 404, "not_found"),
        "invalid body": (
            oms_local.call("POST", "/orders", _order(lines=[{"sku": "TEE-RED-M", "quantity": 1000}])),
            400,
            "validation_error",
        ),
        "malformed json": (oms_local.call("POST", "/orders", raw=b"{not json"), 400, "validation_error"),
        "unknown sku": (
            oms_local.call("POST", "/orders", _order(lines=[{"sku": "GHOST", "quantity": 1}])),
            422,
            "unknown_sku",
        ),
        "unknown order": (oms_local.call("GET", "/orders/ORD-NOPE"), 404, "order_not_found"),
        "unsigned tracking": (
            oms_local.call("POST", "/partners/main-warehouse/tracking", {"x": 1}, key=None),
            401,
            "invalid_signature",
        ),
        "foreign shipment": (
            oms_local.track("east-3pl", shipment_id, "ACCEPTED", "e-foreign"),
            404,
            "shipment_not_found",
        ),
        "bad feedback token": (
            oms_local.call("POST", "/feedback/abc.def", {"rating": 3}, key=None),
            404,
            "invalid_token",
        ),
    }
    for name, (answer, status, code) in cases.items():
        assert (answer.status, answer.json["error"]["code"]) == (status, code), name
        assert set(answer.json["error"]) >= {"code", "message", "details"}, name


def test_a_repeated_or_backward_update_changes_nothing(oms_local: Client) -> None:
    shipment_id = _place(oms_local)["shipments"][0]["shipment_id"]

    first = oms_local.track("main-warehouse", shipment_id, "SHIPPED", "dup-1", carrier="DHL", tracking_number="JD01")
    repeated = oms_local.track("main-warehouse", shipment_id, "SHIPPED", "dup-1", carrier="DHL", tracking_number="JD01")
    backward = oms_local.track("main-warehouse", shipment_id, "ACCEPTED", "dup-2")

    assert [a.status for a in (first, repeated, backward)] == [202, 200, 200]
    assert repeated.json == backward.json == {"applied": False}


def test_a_retried_order_is_one_order(oms_local: Client) -> None:
    body = _order()

    answers = [oms_local.call("POST", "/orders", body) for _ in range(3)]
    oms_local.settle()
    changed = oms_local.call("POST", "/orders", {**body, "lines": [{"sku": "TEE-RED-M", "quantity": 2}]})

    assert {a.json["order_id"] for a in answers} == {answers[0].json["order_id"]}
    assert (changed.status, changed.json["error"]["code"]) == (409, "idempotency_conflict")
    assert len(oms_local.outbox("order_confirmed", answers[0].json["order_id"])) == 1


def test_orders_wait_on_partners_while_eight_clients_work(oms_local: Client) -> None:
    def place(_: int) -> dict[str, Any]:
        # Drop-ship lines: the vendor's stock is not tracked, so every order waits on a partner.
        answer = oms_local.call("POST", "/orders", _order(lines=[{"sku": "DESK-OAK", "quantity": 1}]))
        assert answer.status == 202, answer.body
        return dict(answer.json)

    with ThreadPoolExecutor(max_workers=8) as pool:
        placed = list(pool.map(place, range(24)))
        oms_local.settle()
        orders = list(pool.map(lambda p: oms_local.call("GET", f"/orders/{p['order_id']}").json, placed))
        accepted = list(
            pool.map(
                lambda o: oms_local.track(
                    "acme-vendor", o["shipments"][0]["shipment_id"], "ACCEPTED", f"acc-{o['order_id']}"
                ),
                orders,
            )
        )

    assert len({p["order_id"] for p in placed}) == 24
    assert [o["status"] for o in orders] == ["PROCESSING"] * 24
    assert {o["shipments"][0]["kind"] for o in orders} == {"DROPSHIP"}
    assert [a.status for a in accepted] == [202] * 24
    ids = {p["order_id"] for p in placed}
    assert len([e for e in oms_local.outbox("purchase_order") if e["order_id"] in ids]) == 24
