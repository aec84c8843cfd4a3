"""The stock ledger: every change of a location's on_hand recorded once, with its cause, in the write that
makes it, and read by operators at GET /inventory/{sku}/movements."""

from __future__ import annotations

from typing import Any

import pytest

from local.chaos import chaos
from local.faults import before_transaction, cancelled_transactions, conditioned_on, touching
from oms import clock
from oms.repository import counts
from oms.repository.dynamo import transact
from oms.repository.inventory import StockAction, StockMove, move_item
from oms.repository.ledger import Cause
from tests.ledger import assert_ledger_balanced, movements
from tests.scenario import Scenario

TEE, MAIN, EAST = "TEE-RED-M", "main-warehouse", "east-3pl"


def _ledger(oms: Scenario, location: str = MAIN, sku: str = TEE, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{name}={value}" for name, value in {"location": location, **params}.items())
    reply = oms.request("GET", f"/inventory/{sku}/movements?{query}", key="admin")
    assert reply.status == 200, reply.body
    return dict(reply.json)


def _kinds(oms: Scenario, location: str = MAIN) -> list[tuple[str, int]]:
    """(kind, delta) of a location's movements, oldest first."""
    return [(m["kind"], m["delta"]) for m in movements(oms.stack, TEE, location)]


def _on_hand(oms: Scenario, location: str = MAIN) -> int:
    found = counts.counts(TEE, location)
    assert found is not None
    return found.on_hand


def _receive(oms: Scenario, quantity: int, location: str = MAIN, **headers: str) -> Any:
    receipt = {"sku": TEE, "location": location, "quantity": quantity}
    return oms.request("POST", "/inventory/receipts", receipt, key="admin", headers=headers)


def _count(oms: Scenario, on_hand: int, location: str = MAIN) -> Any:
    counted = {"sku": TEE, "location": location, "on_hand": on_hand}
    return oms.request("POST", "/inventory/adjustments", counted, key="admin")


def _forget_idempotency_records(oms: Scenario) -> None:
    """What 24 hours do to the idempotency records (DynamoDB's TTL deletes them; moto never does)."""
    dynamodb, table = oms.stack.client("dynamodb"), oms.stack.env["IDEMPOTENCY_TABLE"]
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})


def _shipment(oms: Scenario, ref: str, quantity: int = 2) -> dict[str, Any]:
    order = oms.placed(external_ref=ref, lines=[{"sku": TEE, "quantity": quantity}])
    return dict(order["shipments"][0])


def test_the_seed_opens_each_locations_ledger_with_its_count(oms: Scenario) -> None:
    page = _ledger(oms)

    assert [(m["kind"], m["delta"], m["on_hand"]) for m in page["movements"]] == [("opening", 10, 10)]
    assert (page["sku"], page["location"], page["next_cursor"]) == (TEE, MAIN, None)
    assert _kinds(oms, EAST) == [("opening", 5)]
    assert_ledger_balanced(oms.stack)


def test_a_receipt_is_recorded_with_the_request_that_made_it(oms: Scenario) -> None:
    reply = _receive(oms, 7)

    newest = _ledger(oms)["movements"][0]
    assert newest["kind"] == "receipt" and newest["delta"] == 7 and newest["on_hand"] is None
    assert newest["request_id"] == reply.headers["x-amzn-RequestId"]
    assert newest["movement_id"] == f"receipt#request#{newest['request_id']}"
    assert_ledger_balanced(oms.stack)


def test_a_receipt_with_an_idempotency_key_is_recorded_once_under_its_key_for_ever(oms: Scenario) -> None:
    key = {"Idempotency-Key": "GRN-0042"}
    _receive(oms, 4, **key)
    _receive(oms, 4, **key)
    _forget_idempotency_records(oms)

    same = _receive(oms, 4, **key)
    other = _receive(oms, 5, **key)

    [receipt] = [m for m in _ledger(oms)["movements"] if m["kind"] == "receipt"]
    assert (receipt["idempotency_key"], receipt["movement_id"]) == ("GRN-0042", "receipt#key#GRN-0042")
    assert same.status == 200
    assert (other.status, other.error_code) == (409, "idempotency_conflict")
    assert _on_hand(oms) == 14


def test_a_stocktake_records_the_difference_from_what_was_there(oms: Scenario) -> None:
    replies = [_count(oms, counted) for counted in (13, 6, 6)]

    recorded = [m for m in _ledger(oms)["movements"] if m["kind"] == "stocktake"]
    assert [(m["delta"], m["on_hand"]) for m in recorded] == [(0, 6), (-7, 6), (3, 13)]
    assert [m["request_id"] for m in recorded] == [reply.headers["x-amzn-RequestId"] for reply in replies[::-1]]
    assert_ledger_balanced(oms.stack)


def test_a_shipment_records_its_units_leaving_with_the_partners_event(oms: Scenario) -> None:
    shipment = _shipment(oms, "SHOP-1")

    oms.track(MAIN, shipment["shipment_id"], "SHIPPED", event_id="evt-ship-1")

    newest = _ledger(oms)["movements"][0]
    assert (newest["kind"], newest["delta"], newest["on_hand"], newest["after_cancellation"]) == (
        "shipment", -2, None, False,
    )  # fmt: skip
    assert (newest["shipment_id"], newest["event_id"]) == (shipment["shipment_id"], "evt-ship-1")
    assert newest["order_id"] == shipment["shipment_id"].rpartition("-S")[0]
    assert_ledger_balanced(oms.stack)


def test_a_ship_after_cancellation_is_recorded_as_such(oms: Scenario) -> None:
    shipment = _shipment(oms, "SHOP-1")
    order_id = shipment["shipment_id"].rpartition("-S")[0]
    assert oms.request("POST", f"/orders/{order_id}/cancel").status == 200

    oms.track(MAIN, shipment["shipment_id"], "SHIPPED")

    newest = _ledger(oms)["movements"][0]
    assert (newest["kind"], newest["delta"], newest["after_cancellation"]) == ("shipment", -2, True)
    assert _on_hand(oms) == 8
    assert_ledger_balanced(oms.stack)


def test_an_out_of_stock_rejection_records_the_correction_to_what_others_hold(oms: Scenario) -> None:
    rejected = _shipment(oms, "SHOP-1", quantity=2)
    _shipment(oms, "SHOP-2", quantity=3)

    oms.track(MAIN, rejected["shipment_id"], "REJECTED", reason="out_of_stock", event_id="evt-oos")

    newest = _ledger(oms)["movements"][0]
    assert (newest["kind"], newest["delta"], newest["on_hand"]) == ("out_of_stock", -7, 3)
    assert (newest["shipment_id"], newest["event_id"]) == (rejected["shipment_id"], "evt-oos")
    assert_ledger_balanced(oms.stack)


def test_what_leaves_on_hand_alone_records_nothing(oms: Scenario) -> None:
    shipment = _shipment(oms, "SHOP-1", quantity=4)

    refused = _count(oms, 3)  # below what is reserved
    oms.track(MAIN, shipment["shipment_id"], "REJECTED", reason="other")

    assert refused.status == 409
    assert _kinds(oms) == [("opening", 10)]
    assert_ledger_balanced(oms.stack)


def test_the_ledger_adds_up_after_receipts_counts_shipments_and_corrections(oms: Scenario) -> None:
    _receive(oms, 5)
    _count(oms, 18)
    _count(oms, 12)
    shipped = _shipment(oms, "SHOP-1", quantity=2)
    oms.track(MAIN, shipped["shipment_id"], "SHIPPED")
    raced = _shipment(oms, "SHOP-2", quantity=1)
    oms.request("POST", f"/orders/{raced['shipment_id'].rpartition('-S')[0]}/cancel")
    oms.track(MAIN, raced["shipment_id"], "SHIPPED")
    held = _shipment(oms, "SHOP-3", quantity=3)
    rejected = _shipment(oms, "SHOP-4", quantity=2)
    oms.track(MAIN, rejected["shipment_id"], "REJECTED", reason="out_of_stock")

    assert _kinds(oms) == [
        ("opening", 10), ("receipt", 5), ("stocktake", 3), ("stocktake", -6), ("shipment", -2), ("shipment", -1),
        ("out_of_stock", -6),
    ]  # fmt: skip
    assert _on_hand(oms) == 3 and held["partner_id"] == MAIN
    assert_ledger_balanced(oms.stack)


def test_an_event_delivered_twice_records_and_moves_stock_once(oms: Scenario) -> None:
    shipped = _shipment(oms, "SHOP-1", quantity=2)
    _shipment(oms, "SHOP-2", quantity=3)
    rejected = _shipment(oms, "SHOP-3", quantity=1)

    with chaos(twice=True) as report:
        _receive(oms, 6)
        _count(oms, 20, location=EAST)
        oms.track(MAIN, shipped["shipment_id"], "SHIPPED")
        oms.track(MAIN, rejected["shipment_id"], "REJECTED", reason="out_of_stock")

    assert report.runs["AdminApiFunction"] == 4 and report.runs["TrackingFunction"] == 4
    assert _kinds(oms) == [("opening", 10), ("receipt", 6), ("shipment", -2), ("out_of_stock", -11)]
    assert _kinds(oms, EAST) == [("opening", 5), ("stocktake", 15)]
    assert (_on_hand(oms), _on_hand(oms, EAST)) == (3, 20)
    assert_ledger_balanced(oms.stack)


def _racing_receipt(quantity: int) -> None:
    counts.receive(TEE, MAIN, quantity, Cause("request#racing", clock.iso(), {"request_id": "racing"}))


def _racing_reservation(quantity: int) -> None:
    transact([move_item(StockMove(StockAction.RESERVE, TEE, MAIN, quantity))])


@pytest.mark.parametrize(
    ("racing", "counted", "recorded"),
    [
        (lambda: _racing_receipt(4), (12, 0), [("opening", 10), ("receipt", 4), ("stocktake", -2)]),
        (lambda: _racing_reservation(3), (12, 3), [("opening", 10), ("stocktake", 2)]),
    ],
    ids=["receipt", "reservation"],
)
def test_a_stocktake_that_meets_a_concurrent_change_counts_from_the_stock_as_it_is(
    oms: Scenario, racing: Any, counted: tuple[int, int], recorded: list[tuple[str, int]]
) -> None:
    with before_transaction(conditioned_on(":seen_on_hand"), racing) as writer:
        reply = _count(oms, 12)

    assert writer.ran and reply.status == 200, reply.body
    assert counts.counts(TEE, MAIN) == counted
    assert _kinds(oms) == recorded
    assert_ledger_balanced(oms.stack)


def test_a_stocktake_whose_transaction_conflicts_is_tried_again_and_recorded_once(oms: Scenario) -> None:
    with cancelled_transactions(conditioned_on(":seen_on_hand")) as fault:
        reply = _count(oms, 8)

    assert fault.injected == 1 and reply.status == 200
    assert _kinds(oms) == [("opening", 10), ("stocktake", -2)]


def test_an_out_of_stock_correction_that_meets_a_receipt_corrects_the_stock_as_it_is(oms: Scenario) -> None:
    rejected = _shipment(oms, "SHOP-1", quantity=2)
    _shipment(oms, "SHOP-2", quantity=3)

    with before_transaction(touching("PARTNER#"), lambda: _racing_receipt(4)) as writer:
        reply = oms.track(MAIN, rejected["shipment_id"], "REJECTED", reason="out_of_stock")

    assert writer.ran and reply.status == 202
    assert _kinds(oms) == [("opening", 10), ("receipt", 4), ("out_of_stock", -11)]
    assert counts.counts(TEE, MAIN) == (3, 3)
    assert_ledger_balanced(oms.stack)


def test_movements_read_newest_first_a_page_at_a_time(oms: Scenario) -> None:
    for quantity in (1, 2, 3):
        _receive(oms, quantity)

    first = _ledger(oms, limit=2)
    second = _ledger(oms, limit=2, cursor=first["next_cursor"])

    assert [m["delta"] for m in first["movements"] + second["movements"]] == [3, 2, 1, 10]
    assert second["next_cursor"] is None or _ledger(oms, limit=2, cursor=second["next_cursor"])["movements"] == []


def test_movements_are_refused_where_there_is_no_ledger_or_no_admin_key(oms: Scenario) -> None:
    _receive(oms, 1, location=EAST)
    cursor = _ledger(oms, location=EAST, limit=1)["next_cursor"]
    route = f"/inventory/{TEE}/movements"
    refused = {
        route: (400, "validation_error"),  # no location
        f"{route}?location=acme-vendor": (400, "validation_error"),
        "/inventory/DESK-OAK/movements?location=main-warehouse": (400, "validation_error"),
        "/inventory/NO-SUCH/movements?location=main-warehouse": (404, "unknown_sku"),
        f"{route}?location=main-warehouse&limit=101": (400, "validation_error"),
        f"{route}?location=main-warehouse&cursor=bm90LWEtY3Vyc29y": (400, "validation_error"),
        f"{route}?location=main-warehouse&cursor={cursor}": (400, "validation_error"),  # another location's
    }

    answers = {path: oms.request("GET", path, key="admin") for path in refused}
    storefront = oms.request("GET", f"{route}?location={MAIN}")

    assert cursor
    assert {path: (reply.status, reply.error_code) for path, reply in answers.items()} == refused
    assert (storefront.status, storefront.error_code) == (403, "forbidden")
