"""Multi-source fulfilment over HTTP: each policy, each source kind, each rejection reason, receipts releasing
backorders oldest first. Every scenario makes its own SKUs through the admin API, so scenarios sharing the
one local stack never touch each other's stock, and each ends with on_hand = available + reserved."""

from __future__ import annotations

from tests.e2e.shop import Shop, counters, open_shipment


def test_one_order_from_own_stock_a_third_party_and_a_vendor_then_a_released_backorder(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 3, "east-3pl": 2})
    desk = shop.product("DESK", vendor="acme-vendor")
    mug = shop.product("MUG", {"main-warehouse": 0})

    order = shop.order({tee: 5, desk: 1, mug: 2})

    assert order["status"] == "PROCESSING"
    assert sorted(s["kind"] for s in order["shipments"]) == ["DROPSHIP", "THIRD_PARTY", "WAREHOUSE"]
    assert counters(order, tee) == (5, 0, 0, 0, 0) and counters(order, mug) == (0, 2, 0, 0, 0)
    assert [e["kind"] for e in shop.client.outbox(order_id=order["order_id"]) if e["to"] == ["ada@example.com"]] == [
        "order_backordered"
    ]
    assert {e["to"][0] for e in shop.client.outbox("purchase_order", order["order_id"])} == {"dropship@acme.example"}

    after = shop.receive(mug, 2)

    assert after["backordered"] == 0
    order = shop.read(order["order_id"])
    assert counters(order, mug) == (2, 0, 0, 0, 0)
    assert len(order["shipments"]) == 4
    order = shop.deliver_all(order["order_id"])
    assert order["status"] == "DELIVERED"
    assert counters(order, tee) == (5, 0, 0, 5, 5)
    assert shop.stock(tee)["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 0, "reserved": 0, "available": 0,
    }  # fmt: skip


def test_receipts_release_several_orders_oldest_first(shop: Shop) -> None:
    mug = shop.product("MUG", {"main-warehouse": 0})
    orders = [shop.order({mug: 2})["order_id"] for _ in range(3)]
    assert shop.stock(mug)["backordered"] == 6

    shop.receive(mug, 3)

    assert [counters(shop.read(o), mug)[:2] for o in orders] == [(2, 0), (1, 1), (0, 2)]
    assert [shop.read(o)["status"] for o in orders] == ["PROCESSING", "PROCESSING", "BACKORDERED"]

    shop.receive(mug, 3, location="east-3pl")

    assert [counters(shop.read(o), mug)[:2] for o in orders] == [(2, 0), (2, 0), (2, 0)]
    assert shop.stock(mug)["backordered"] == 0
    assert shop.stock(mug)["east-3pl"]["available"] == 0


def test_ship_complete_holds_without_reserving_and_does_not_block_younger_orders(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 5})
    mug = shop.product("MUG", {"main-warehouse": 0})

    held = shop.order({tee: 2, mug: 2}, policy="ship_complete")
    younger = shop.order({mug: 1})

    assert held["status"] == "BACKORDERED" and held["shipments"] == []
    assert shop.stock(tee)["main-warehouse"]["reserved"] == 0
    shop.receive(mug, 1)
    assert shop.read(held["order_id"])["status"] == "BACKORDERED"
    assert shop.read(younger["order_id"])["status"] == "PROCESSING"

    shop.receive(mug, 2)

    held = shop.read(held["order_id"])
    assert held["status"] == "PROCESSING"
    assert [(s["partner_id"], len(s["lines"])) for s in held["shipments"]] == [("main-warehouse", 2)]
    assert shop.stock(tee)["main-warehouse"]["reserved"] == 2


def test_cancel_unavailable_and_cancel_order(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 1})

    partly = shop.order({tee: 3}, policy="cancel_unavailable")
    nothing = shop.order({tee: 1}, policy="cancel_order")

    assert counters(partly, tee) == (1, 0, 2, 0, 0)
    [confirmed] = shop.client.outbox("order_confirmed", partly["order_id"])
    assert "cancelled" in confirmed["text"]
    assert nothing["status"] == "CANCELLED"
    assert len(shop.client.outbox("order_cancelled", nothing["order_id"])) == 1
    assert shop.stock(tee)["backordered"] == 0


def test_out_of_stock_corrects_the_count_and_re_routes_to_a_third_party(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 4, "east-3pl": 4})
    other = shop.order({tee: 1})
    order = shop.order({tee: 2})

    assert shop.track(open_shipment(order, "main-warehouse"), "REJECTED", reason="out_of_stock") == 202

    order = shop.read(order["order_id"])
    assert [(s["partner_id"], s["status"]) for s in order["shipments"]] == [
        ("main-warehouse", "REJECTED"), ("east-3pl", "SENT"),
    ]  # fmt: skip
    assert counters(order, tee) == (2, 0, 0, 0, 0)
    assert shop.stock(tee)["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 1, "reserved": 1, "available": 0,
    }  # fmt: skip
    assert shop.read(other["order_id"])["status"] == "PROCESSING"
    assert shop.deliver_all(order["order_id"])["status"] == "DELIVERED"


def test_other_re_routes_without_touching_stock_and_no_source_backorders(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 5})
    order = shop.order({tee: 2})

    shop.track(open_shipment(order, "main-warehouse"), "REJECTED", reason="other")

    order = shop.read(order["order_id"])
    assert counters(order, tee) == (0, 2, 0, 0, 0)
    assert order["status"] == "BACKORDERED"
    assert shop.stock(tee)["main-warehouse"]["available"] == 5
    assert shop.stock(tee)["backordered"] == 2

    # the partner that refused is not asked again; another location's receipt serves the order
    shop.receive(tee, 2, location="main-warehouse")
    assert shop.read(order["order_id"])["status"] == "BACKORDERED"
    shop.receive(tee, 2, location="east-3pl")
    order = shop.read(order["order_id"])
    assert counters(order, tee) == (2, 0, 0, 0, 0)
    assert order["shipments"][-1]["partner_id"] == "east-3pl"


def test_incorrect_address_and_a_vendors_rejection_cancel_and_tell_the_customer(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 5})
    desk = shop.product("DESK", vendor="acme-vendor")
    order = shop.order({tee: 1, desk: 1})
    order_id = order["order_id"]

    shop.track(open_shipment(order, "main-warehouse"), "REJECTED", reason="incorrect_address")

    order = shop.read(order_id)
    assert counters(order, tee) == (0, 0, 1, 0, 0)
    assert len(shop.client.outbox("units_cancelled", order_id)) == 1
    assert shop.stock(tee)["main-warehouse"]["reserved"] == 0

    shop.track(open_shipment(order, "acme-vendor"), "REJECTED", reason="out_of_stock")

    order = shop.read(order_id)
    assert order["status"] == "CANCELLED"
    assert counters(order, desk) == (0, 0, 1, 0, 0)
    assert len(shop.client.outbox("order_cancelled", order_id)) == 1


def test_a_hundred_line_order_split_over_two_locations_allocates_and_completes(shop: Shop) -> None:
    skus = [shop.product(f"P{n:03d}", {"main-warehouse": 1, "east-3pl": 1}) for n in range(100)]

    order = shop.order({sku: 2 for sku in skus})

    assert order["status"] == "PROCESSING"
    assert sorted(s["partner_id"] for s in order["shipments"]) == ["east-3pl", "main-warehouse"]
    assert all(len(s["lines"]) == 100 for s in order["shipments"])
    for sku in skus[:3] + skus[-3:]:
        assert counters(order, sku) == (2, 0, 0, 0, 0)
        assert shop.stock(sku)["main-warehouse"]["reserved"] == 1 and shop.stock(sku)["east-3pl"]["reserved"] == 1

    order = shop.deliver_all(order["order_id"])

    assert order["status"] == "DELIVERED"
    assert all(counters(order, sku) == (2, 0, 0, 2, 2) for sku in skus)
