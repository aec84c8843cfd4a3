"""What changes an order after it is placed, over HTTP: the customer's cancellation at each stage, a partner's
ship racing it, partners that answer late or report a problem, and the feedback asked when delivery is never
reported. The local clock is the tier's one clock: every assertion here reads only this scenario's orders."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.shop import CUSTOMER, Shop, counters, open_shipment
from tests.scenario import DAY, DEFAULT_SEED

HOUR = 3600
SETTINGS = DEFAULT_SEED["settings"]
ACCEPT_HOURS = SETTINGS["partner_accept_hours"]
FALLBACK_DAYS = SETTINGS["feedback_fallback_days"]
WAREHOUSE, THIRD_PARTY = "pick@merchant.example", "orders@east3pl.example"


def sent(shop: Shop, order_id: str) -> Counter[tuple[str, str]]:
    """How many emails of each (kind, recipient) the order got."""
    return Counter(shop.emails(order_id))


def shipment_of(order: dict[str, Any], partner_id: str | None = None) -> dict[str, Any]:
    """The order's one shipment, or its one shipment at `partner_id`."""
    (shipment,) = [s for s in order["shipments"] if partner_id in (None, s["partner_id"])]
    return dict(shipment)


def test_a_cancellation_racing_the_first_allocation_ends_the_same_whichever_comes_first(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 2})
    # Nothing over HTTP holds an order before its first allocation: the execution starts within POST /orders,
    # so the cancellation lands before it (as it does on an idle stack) or just after.
    order_id = shop.order({tee: 2}, settle=False)["order_id"]

    reply = shop.cancel(order_id)

    assert reply.status == 200, reply.body
    assert reply.json["status"] == "CANCELLED"
    order = shop.read(order_id)
    assert order["status"] == "CANCELLED"
    assert counters(order, tee) == (0, 0, 2, 0, 0)
    assert {s["status"] for s in order["shipments"]} <= {"CANCELLED"}
    assert shop.stock(tee)["main-warehouse"]["available"] == 2
    emails = sent(shop, order_id)
    assert emails[("order_cancelled", CUSTOMER)] == 1
    # the partner hears of the cancellation exactly when it was asked to ship
    assert emails[("cancellation_request", WAREHOUSE)] == emails[("fulfillment_request", WAREHOUSE)] <= 1


def test_cancelling_a_backordered_order_withdraws_its_backorder(shop: Shop) -> None:
    mug = shop.product("MUG", {"main-warehouse": 0})
    order = shop.order({mug: 2})
    assert order["status"] == "BACKORDERED"
    assert shop.stock(mug)["backordered"] == 2

    reply = shop.cancel(order["order_id"])

    assert reply.status == 200
    assert reply.json["status"] == "CANCELLED"
    assert counters(reply.json, mug) == (0, 0, 2, 0, 0)
    assert shop.stock(mug)["backordered"] == 0
    shop.receive(mug, 2)
    assert shop.read(order["order_id"])["status"] == "CANCELLED"
    assert shop.stock(mug)["main-warehouse"]["available"] == 2
    assert sent(shop, order["order_id"]) == {("order_backordered", CUSTOMER): 1, ("order_cancelled", CUSTOMER): 1}


def test_cancelling_a_dispatched_order_releases_its_stock_and_tells_the_partner_once(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 3})
    order = shop.order({tee: 2})
    assert shop.stock(tee)["main-warehouse"]["reserved"] == 2

    first = shop.cancel(order["order_id"])
    again = shop.cancel(order["order_id"])

    assert first.status == 200
    assert first.json["status"] == "CANCELLED"
    assert [s["status"] for s in first.json["shipments"]] == ["CANCELLED"]
    assert counters(first.json, tee) == (0, 0, 2, 0, 0)
    assert "OrderCancelled" in [e["type"] for e in first.json["timeline"]]
    assert shop.stock(tee)["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 3, "reserved": 0, "available": 3,
    }  # fmt: skip
    assert (again.status, again.json) == (200, first.json)
    assert sent(shop, order["order_id"]) == {
        ("order_confirmed", CUSTOMER): 1,
        ("fulfillment_request", WAREHOUSE): 1,
        ("cancellation_request", WAREHOUSE): 1,
        ("order_cancelled", CUSTOMER): 1,
    }


def test_cancelling_a_partly_shipped_order_cancels_the_rest_and_the_status_follows_the_units(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 1})
    mug = shop.product("MUG", {"east-3pl": 2})
    order = shop.order({tee: 1, mug: 2})
    order_id = order["order_id"]
    shop.track(open_shipment(order, "main-warehouse"), "SHIPPED")
    assert shop.read(order_id)["status"] == "PARTIALLY_SHIPPED"

    reply = shop.cancel(order_id)

    assert reply.status == 200
    assert reply.json["status"] == "SHIPPED"
    assert counters(reply.json, tee) == (1, 0, 0, 1, 0)
    assert counters(reply.json, mug) == (0, 0, 2, 0, 0)
    assert shop.stock(mug)["east-3pl"] | {} == {"location": "east-3pl", "on_hand": 2, "reserved": 0, "available": 2}
    assert shop.stock(tee)["main-warehouse"]["on_hand"] == 0
    emails = sent(shop, order_id)
    assert emails[("cancellation_request", THIRD_PARTY)] == 1
    assert emails[("cancellation_request", WAREHOUSE)] == 0
    assert emails[("order_cancelled", CUSTOMER)] == 1

    shop.track(shipment_of(reply.json, "main-warehouse"), "DELIVERED")

    assert shop.read(order_id)["status"] == "DELIVERED"


def test_a_fully_shipped_order_is_not_cancellable(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 1})
    order = shop.order({tee: 1})
    shop.track(shipment_of(order), "SHIPPED")

    reply = shop.cancel(order["order_id"])

    assert reply.status == 409
    assert reply.json["error"]["code"] == "not_cancellable"
    after = shop.read(order["order_id"])
    assert after["status"] == "SHIPPED"
    assert counters(after, tee) == (1, 0, 0, 1, 0)
    kinds = {kind for kind, _ in shop.emails(order["order_id"])}
    assert kinds.isdisjoint({"order_cancelled", "cancellation_request"})


def test_a_partners_ship_after_the_cancellation_wins_and_takes_the_stock(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 3})
    order = shop.order({tee: 2})
    shipment = shipment_of(order)
    assert shop.cancel(order["order_id"]).json["status"] == "CANCELLED"
    assert shop.stock(tee)["main-warehouse"]["available"] == 3

    assert shop.track(shipment, "SHIPPED") == 202

    after = shop.read(order["order_id"])
    assert after["status"] == "SHIPPED"
    assert shipment_of(after)["status"] == "SHIPPED"
    assert counters(after, tee) == (2, 0, 0, 2, 0)
    assert shop.stock(tee)["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 1, "reserved": 0, "available": 1,
    }  # fmt: skip
    emails = sent(shop, order["order_id"])
    assert emails[("shipment_shipped", CUSTOMER)] == 1
    assert emails[("order_cancelled", CUSTOMER)] == 1

    shop.track(shipment, "DELIVERED")

    assert shop.read(order["order_id"])["status"] == "DELIVERED"


def test_a_partner_silent_past_its_deadline_puts_an_exception_on_the_shipment_until_it_moves(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 1})
    order = shop.order({tee: 1})
    order_id, shipment = order["order_id"], shipment_of(order)
    deadline = f"deadline-{shipment['shipment_id']}-1"

    assert deadline not in shop.client.advance((ACCEPT_HOURS - 1) * HOUR)["fired"]
    assert shipment_of(shop.read(order_id))["exception"] is None

    assert deadline in shop.client.advance(HOUR)["fired"]

    late = shop.read(order_id)
    assert shipment_of(late)["status"] == "SENT"
    assert shipment_of(late)["exception"]["reason"]
    assert late["status"] == "PROCESSING"
    assert "ShipmentException" in [e["type"] for e in late["timeline"]]
    # still silent at the operators' later timer: the customer is not told again
    shop.client.advance(2 * ACCEPT_HOURS * HOUR)
    assert shipment_of(shop.read(order_id))["exception"] == shipment_of(late)["exception"]
    assert sent(shop, order_id)[("shipment_exception", CUSTOMER)] == 1

    assert shop.track(shipment, "ACCEPTED") == 202

    accepted = shipment_of(shop.read(order_id))
    assert (accepted["status"], accepted["exception"]) == ("ACCEPTED", None)
    assert sent(shop, order_id)[("shipment_exception", CUSTOMER)] == 1


def test_a_partners_exception_right_after_accepting_is_told_once_and_cleared_by_shipping(shop: Shop) -> None:
    tee = shop.product("TEE", {"main-warehouse": 1})
    order = shop.order({tee: 1})
    order_id, shipment = order["order_id"], shipment_of(order)
    assert shop.track(shipment, "ACCEPTED") == 202

    assert shop.track(shipment, "EXCEPTION", reason="Address needs a flat number") == 202
    assert shop.track(shipment, "EXCEPTION", reason="Still waiting for the flat number") == 202

    delayed = shipment_of(shop.read(order_id))
    assert delayed["status"] == "ACCEPTED"
    assert delayed["exception"]["reason"] == "Still waiting for the flat number"
    [email] = shop.client.outbox("shipment_exception", order_id)
    assert email["to"] == [CUSTOMER]
    assert "flat number" in email["text"]

    assert shop.track(shipment, "SHIPPED") == 202

    shipped = shipment_of(shop.read(order_id))
    assert (shipped["status"], shipped["exception"]) == ("SHIPPED", None)
    assert sent(shop, order_id)[("shipment_exception", CUSTOMER)] == 1


def test_feedback_is_asked_the_fallback_days_after_the_last_unit_shipped_when_delivery_is_never_reported(
    shop: Shop,
) -> None:
    tee = shop.product("TEE", {"main-warehouse": 2})
    mug = shop.product("MUG", {"east-3pl": 1})
    shipped = shop.order({tee: 1})
    shop.track(shipment_of(shipped), "SHIPPED")
    rest_cancelled = shop.order({tee: 1, mug: 1})
    shop.track(open_shipment(rest_cancelled, "main-warehouse"), "SHIPPED")
    assert shop.cancel(rest_cancelled["order_id"]).json["status"] == "SHIPPED"
    orders = [shipped["order_id"], rest_cancelled["order_id"]]

    shop.client.advance(FALLBACK_DAYS * DAY - HOUR)

    assert [sent(shop, o)[("feedback_request", CUSTOMER)] for o in orders] == [0, 0]

    fired = shop.client.advance(HOUR)["fired"]

    assert {f"feedback-{o}" for o in orders} <= set(fired)
    assert [sent(shop, o)[("feedback_request", CUSTOMER)] for o in orders] == [1, 1]
    assert [shop.read(o)["status"] for o in orders] == ["SHIPPED", "SHIPPED"]
