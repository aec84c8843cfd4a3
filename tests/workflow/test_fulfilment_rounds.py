"""Allocation rounds in the order's one execution: backorders released by receipts, rejections re-routed by
reason, and what it all costs in state transitions."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from local.faults import cancelled_transactions, conditioned_on
from oms.repository.dynamo import RETRY_ATTEMPTS
from tests.ledger import assert_ledger_balanced
from tests.scenario import DEFAULT_SEED, Scenario, scenario

FULL_LIFE = ("ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED")
ADDRESS_2 = {"line1": "1 Other Road"}


def _seed() -> dict[str, Any]:
    seed = copy.deepcopy(DEFAULT_SEED)
    seed["products"].append({"sku": "MUG-BLUE", "name": "Blue mug", "fulfillment": "STOCKED"})
    seed["inventory"].append({"sku": "MUG-BLUE", "location": "main-warehouse", "on_hand": 0})
    return seed


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, _seed(), executions=True) as running:
        yield running


def transitions(oms: Scenario, order_id: str) -> list[str]:
    """The states the order's execution entered, in order: each one is a billed state transition."""
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in oms.execution(order_id)["history"]
        if event["type"].endswith("StateEntered")
    ]


def lines(order: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {x["sku"]: {k: v for k, v in x.items() if k != "sku"} for x in order["lines"]}


def stock(oms: Scenario, sku: str) -> dict[str, Any]:
    reply = oms.request("GET", f"/inventory/{sku}", key="admin")
    assert reply.status == 200, reply.body
    if reply.json["locations"]:
        assert_ledger_balanced(oms.stack, [sku])  # on_hand = available + reserved = its movements' sum
    return {x["location"]: x for x in reply.json["locations"]} | {"backordered": reply.json["backordered"]}


def receive(oms: Scenario, sku: str, quantity: int, location: str = "main-warehouse") -> dict[str, Any]:
    reply = oms.request(
        "POST", "/inventory/receipts", {"sku": sku, "location": location, "quantity": quantity}, key="admin"
    )
    assert reply.status == 200, reply.body
    oms.settle()
    return dict(reply.json)


def live(oms: Scenario, order_id: str, partner_id: str) -> str:
    """The order's shipment at that partner that is still open."""
    order = oms.order(order_id)
    (shipment,) = [
        s for s in order["shipments"] if s["partner_id"] == partner_id and s["status"] in ("SENT", "ACCEPTED")
    ]
    return str(shipment["shipment_id"])


def deliver(oms: Scenario, order_id: str) -> None:
    for shipment in oms.order(order_id)["shipments"]:
        if shipment["status"] == "SENT":
            for status in FULL_LIFE:
                assert oms.track(shipment["partner_id"], shipment["shipment_id"], status).status == 202


# --- the cost of an order -------------------------------------------------------------------------


def test_a_one_shipment_order_costs_at_most_twelve_transitions(oms: Scenario) -> None:
    order = oms.placed()

    deliver(oms, order["order_id"])

    assert oms.execution(order["order_id"])["status"] == "SUCCEEDED"
    entered = transitions(oms, order["order_id"])
    assert entered == ["Allocate", "NotifyOutcome", "DispatchAndWait", "WhatNext", "OrderSettled"]
    assert len(entered) <= 12
    assert oms.order(order["order_id"])["status"] == "DELIVERED"
    assert {e["kind"] for e in oms.emails(order_id=order["order_id"])} == {
        "order_confirmed", "fulfillment_request", "shipment_shipped", "shipment_delivered",
    }  # fmt: skip


def test_a_three_source_order_with_a_released_backorder_in_one_execution(oms: Scenario) -> None:
    order = oms.placed(
        lines=[
            {"sku": "TEE-RED-M", "quantity": 12},
            {"sku": "DESK-OAK", "quantity": 1},
            {"sku": "MUG-BLUE", "quantity": 2},
        ]
    )
    order_id = order["order_id"]
    assert order["status"] == "PROCESSING"
    assert sorted((s["partner_id"], s["kind"]) for s in order["shipments"]) == [
        ("acme-vendor", "DROPSHIP"), ("east-3pl", "THIRD_PARTY"), ("main-warehouse", "WAREHOUSE"),
    ]  # fmt: skip
    assert lines(order)["MUG-BLUE"]["backordered"] == 2
    assert stock(oms, "MUG-BLUE")["backordered"] == 2

    after = receive(oms, "MUG-BLUE", 5)

    assert after["backordered"] == 0
    assert after["locations"] == [{"location": "main-warehouse", "on_hand": 5, "reserved": 2, "available": 3}]
    order = oms.order(order_id)
    assert lines(order)["MUG-BLUE"] == {
        "quantity": 2, "allocated": 2, "backordered": 0, "cancelled": 0, "shipped": 0, "delivered": 0,
    }  # fmt: skip
    assert "BackorderReleased" in [e["type"] for e in order["timeline"]]
    released = order["shipments"][-1]
    assert (released["partner_id"], released["lines"]) == ("main-warehouse", [{"sku": "MUG-BLUE", "quantity": 2}])
    assert [e for e in oms.emails("fulfillment_request", order_id) if released["shipment_id"] in e["subject"]]

    deliver(oms, order_id)

    assert oms.order(order_id)["status"] == "DELIVERED"
    execution = oms.execution(order_id)
    assert execution["status"] == "SUCCEEDED"
    entered = transitions(oms, order_id)
    assert entered == [
        "Allocate", "NotifyOutcome", "DispatchAndWait", "WhatNext",
        "Allocate", "NotifyOutcome", "DispatchAndWait", "WhatNext", "OrderSettled",
    ]  # fmt: skip
    for location in ("main-warehouse", "east-3pl"):
        assert stock(oms, "TEE-RED-M")[location]["reserved"] == 0


# --- receipts ---------------------------------------------------------------------------------------


def test_a_receipt_releases_the_oldest_backorders_first(oms: Scenario) -> None:
    orders = [
        oms.placed(external_ref=f"SHOP-{n}", lines=[{"sku": "MUG-BLUE", "quantity": 2}])["order_id"] for n in range(3)
    ]
    assert [oms.order(o)["status"] for o in orders] == ["BACKORDERED"] * 3
    assert stock(oms, "MUG-BLUE")["backordered"] == 6

    after = receive(oms, "MUG-BLUE", 5)

    # ship_available: the oldest two take all they wait for, the youngest what is left
    waiting = [lines(oms.order(o))["MUG-BLUE"] for o in orders]
    assert [(x["allocated"], x["backordered"]) for x in waiting] == [(2, 0), (2, 0), (1, 1)]
    assert after["locations"] == [{"location": "main-warehouse", "on_hand": 5, "reserved": 5, "available": 0}]
    assert after["backordered"] == 1
    assert len(oms.emails("fulfillment_request")) == 3
    assert [oms.execution(o)["status"] for o in orders] == ["RUNNING"] * 3

    receive(oms, "MUG-BLUE", 1)

    assert lines(oms.order(orders[2]))["MUG-BLUE"] | {} == {
        "quantity": 2, "allocated": 2, "backordered": 0, "cancelled": 0, "shipped": 0, "delivered": 0,
    }  # fmt: skip
    assert stock(oms, "MUG-BLUE")["backordered"] == 0


def test_ship_complete_reserves_nothing_and_does_not_block_younger_orders(oms: Scenario) -> None:
    held = oms.placed(lines=[{"sku": "MUG-BLUE", "quantity": 1}, {"sku": "TEE-RED-M", "quantity": 20}],
                      backorder_policy="ship_complete")  # fmt: skip
    younger = oms.placed(external_ref="SHOP-2", lines=[{"sku": "MUG-BLUE", "quantity": 1}])

    assert held["status"] == "BACKORDERED" and held["shipments"] == []
    assert stock(oms, "TEE-RED-M")["main-warehouse"]["reserved"] == 0
    assert stock(oms, "MUG-BLUE")["backordered"] == 2

    receive(oms, "MUG-BLUE", 1)

    assert oms.order(held["order_id"])["status"] == "BACKORDERED"
    assert oms.order(younger["order_id"])["status"] == "PROCESSING"

    receive(oms, "MUG-BLUE", 1)
    receive(oms, "TEE-RED-M", 5, location="east-3pl")

    order = oms.order(held["order_id"])
    assert order["status"] == "PROCESSING"
    assert {x["sku"]: x["allocated"] for x in order["lines"]} == {"MUG-BLUE": 1, "TEE-RED-M": 20}
    assert stock(oms, "TEE-RED-M")["backordered"] == 0


# --- rejections ------------------------------------------------------------------------------------


def test_out_of_stock_corrects_the_count_and_sends_the_units_elsewhere(oms: Scenario) -> None:
    other = oms.placed(external_ref="SHOP-2", lines=[{"sku": "TEE-RED-M", "quantity": 3}])
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 2}])
    shipment_id = live(oms, order["order_id"], "main-warehouse")

    reply = oms.track("main-warehouse", shipment_id, "REJECTED", reason="out_of_stock")

    assert reply.status == 202
    # main-warehouse has only what the other order holds there, nothing available
    assert stock(oms, "TEE-RED-M")["main-warehouse"] == {
        "location": "main-warehouse", "on_hand": 3, "reserved": 3, "available": 0,
    }  # fmt: skip
    after = oms.order(order["order_id"])
    assert [(s["partner_id"], s["status"]) for s in after["shipments"]] == [
        ("main-warehouse", "REJECTED"), ("east-3pl", "SENT"),
    ]  # fmt: skip
    assert lines(after)["TEE-RED-M"] | {} == {
        "quantity": 2, "allocated": 2, "backordered": 0, "cancelled": 0, "shipped": 0, "delivered": 0,
    }  # fmt: skip
    assert stock(oms, "TEE-RED-M")["east-3pl"]["reserved"] == 2
    assert oms.emails("fulfillment_request", order["order_id"])[-1]["to"] == ["orders@east3pl.example"]
    assert oms.order(other["order_id"])["status"] == "PROCESSING"

    deliver(oms, order["order_id"])
    assert oms.execution(order["order_id"])["status"] == "SUCCEEDED"


def test_a_rejection_for_another_reason_re_routes_without_touching_the_count(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 2}])

    oms.track("main-warehouse", live(oms, order["order_id"], "main-warehouse"), "REJECTED", reason="other")

    assert stock(oms, "TEE-RED-M")["main-warehouse"] == {
        "location": "main-warehouse", "on_hand": 10, "reserved": 0, "available": 10,
    }  # fmt: skip
    after = oms.order(order["order_id"])
    # the partner that refused is never asked again for this order, though it has the stock
    assert [s["partner_id"] for s in after["shipments"]] == ["main-warehouse", "east-3pl"]


def test_no_other_source_leaves_the_units_on_backorder_until_a_receipt(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "MUG-BLUE", "quantity": 1}])
    receive(oms, "MUG-BLUE", 1)
    shipment_id = live(oms, order["order_id"], "main-warehouse")

    oms.track("main-warehouse", shipment_id, "REJECTED", reason="other")

    after = oms.order(order["order_id"])
    assert lines(after)["MUG-BLUE"]["backordered"] == 1
    assert after["status"] == "BACKORDERED"
    assert stock(oms, "MUG-BLUE")["backordered"] == 1
    assert oms.execution(order["order_id"])["status"] == "RUNNING"


def test_cancel_unavailable_cancels_what_no_other_source_has(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 12}], backorder_policy="cancel_unavailable")
    east = live(oms, order["order_id"], "east-3pl")

    oms.track("east-3pl", east, "REJECTED", reason="out_of_stock")

    after = oms.order(order["order_id"])
    assert lines(after)["TEE-RED-M"] | {} == {
        "quantity": 12, "allocated": 10, "backordered": 0, "cancelled": 2, "shipped": 0, "delivered": 0,
    }  # fmt: skip
    assert stock(oms, "TEE-RED-M")["east-3pl"] == {
        "location": "east-3pl", "on_hand": 0, "reserved": 0, "available": 0,
    }  # fmt: skip


def test_an_incorrect_address_cancels_the_units_and_tells_the_customer(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 1}, {"sku": "DESK-OAK", "quantity": 1}])
    order_id = order["order_id"]

    oms.track("main-warehouse", live(oms, order_id, "main-warehouse"), "REJECTED", reason="incorrect_address")

    after = oms.order(order_id)
    assert lines(after)["TEE-RED-M"]["cancelled"] == 1
    assert stock(oms, "TEE-RED-M")["main-warehouse"]["reserved"] == 0
    [email] = oms.emails("units_cancelled", order_id)
    assert "address" in email["text"]
    assert after["status"] == "PROCESSING"

    oms.track("acme-vendor", live(oms, order_id, "acme-vendor"), "REJECTED", reason="out_of_stock")

    after = oms.order(order_id)
    assert after["status"] == "CANCELLED"
    assert len(oms.emails("order_cancelled", order_id)) == 1
    assert len(oms.emails("units_cancelled", order_id)) == 1
    assert oms.execution(order_id)["status"] == "SUCCEEDED"


def test_a_drop_ship_rejection_cancels_its_units(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "DESK-OAK", "quantity": 1}])

    oms.track("acme-vendor", live(oms, order["order_id"], "acme-vendor"), "REJECTED", reason="other")

    after = oms.order(order["order_id"])
    assert after["status"] == "CANCELLED"
    assert lines(after)["DESK-OAK"]["cancelled"] == 1
    assert len(oms.emails("order_cancelled", order["order_id"])) == 1


# --- contention, as DynamoDB shows it and moto never does ------------------------------------------


def test_a_release_meeting_contention_is_retried_in_the_call(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "MUG-BLUE", "quantity": 1}])

    with cancelled_transactions(conditioned_on("allocation_round"), times=2) as fault:
        receive(oms, "MUG-BLUE", 1)

    assert fault.injected == 2
    assert oms.order(order["order_id"])["status"] == "PROCESSING"
    assert stock(oms, "MUG-BLUE")["main-warehouse"]["reserved"] == 1


def test_a_release_that_contention_outlasts_leaves_the_receipt_and_the_next_one_serves_the_order(
    oms: Scenario,
) -> None:
    order = oms.placed(lines=[{"sku": "MUG-BLUE", "quantity": 1}])

    with cancelled_transactions(conditioned_on("allocation_round"), times=RETRY_ATTEMPTS):
        after = receive(oms, "MUG-BLUE", 1)

    assert after["locations"][0]["on_hand"] == 1 and after["backordered"] == 1
    assert oms.order(order["order_id"])["status"] == "BACKORDERED"

    receive(oms, "MUG-BLUE", 1)

    assert oms.order(order["order_id"])["status"] == "PROCESSING"
    assert stock(oms, "MUG-BLUE")["main-warehouse"] | {} == {
        "location": "main-warehouse", "on_hand": 2, "reserved": 1, "available": 1,
    }  # fmt: skip


def test_a_re_allocation_meeting_contention_is_retried_by_the_state_machine(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 2}])
    shipment_id = live(oms, order["order_id"], "main-warehouse")

    with cancelled_transactions(conditioned_on("allocation_round"), reason="ThrottlingError", times=2) as fault:
        oms.track("main-warehouse", shipment_id, "REJECTED", reason="other")

    assert fault.injected == 2
    after = oms.order(order["order_id"])
    assert [(s["partner_id"], s["status"]) for s in after["shipments"]] == [
        ("main-warehouse", "REJECTED"), ("east-3pl", "SENT"),
    ]  # fmt: skip
    assert lines(after)["TEE-RED-M"]["allocated"] == 2
