"""A round too big for one transaction (100 lines, each split over two locations) is written in chunks
and still happens exactly once: never oversold, a retried or concurrent attempt safe, a round that can't
finish given back whole, and a reader never sees half of it."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from local.faults import before_transaction, cancelled_transactions, conditioned_on, transactions_seen
from local.runtime.lambda_runtime import FunctionError
from tests.scenario import DEFAULT_SEED, Scenario, scenario

SKUS = [f"BULK-{n:03}" for n in range(100)]
ON_HAND = {"main-warehouse": 5, "east-3pl": 5}
# More than either location holds: every line takes 5 from the warehouse and 2 from the third party.
ORDERED = 7
# The transactions of a round written in chunks (the first, each next one, and those giving it back).
CHUNKED = conditioned_on("round_plan_id")
GIVING_BACK = conditioned_on("round_plan_state = :giving_back")

Stock = dict[tuple[str, str], dict[str, int]]


def _bulk_seed() -> dict[str, Any]:
    seed = copy.deepcopy(DEFAULT_SEED)
    seed["products"] += [{"sku": sku, "name": f"Bulk item {sku}"} for sku in SKUS]
    seed["inventory"] += [
        {"sku": sku, "location": location, "on_hand": units} for sku in SKUS for location, units in ON_HAND.items()
    ]
    return seed


@pytest.fixture
def bulk(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, _bulk_seed(), executions=False) as handlers:
        yield handlers


def _place(oms: Scenario, ref: str = "BULK-1", skus: list[str] = SKUS, quantity: int = ORDERED) -> str:
    reply = oms.place(external_ref=ref, lines=[{"sku": sku, "quantity": quantity} for sku in skus])
    assert reply.status == 202, reply.body
    return str(reply.json["order_id"])


def _allocate(oms: Scenario, order_id: str) -> dict[str, Any]:
    return dict(oms.stack.invoke("allocate", {"order_id": order_id}))


def _allocate_elsewhere(order_id: str) -> dict[str, Any]:
    """Another attempt of the Allocate step, in another Lambda environment."""
    from oms.fulfilment.allocate import allocate_order

    return allocate_order(order_id).model_dump(mode="json")


def _stock() -> Stock:
    from oms.repository import inventory

    return {(sku, loc): counts for sku, by_loc in inventory.stock(SKUS).items() for loc, counts in by_loc.items()}


def _seeded() -> Stock:
    return {(sku, loc): {"on_hand": n, "reserved": 0, "available": n} for sku in SKUS for loc, n in ON_HAND.items()}


def _taken(stock: Stock, sku: str, location: str, units: int) -> Stock:
    counts = stock[(sku, location)]
    return {**stock, (sku, location): {**counts, "reserved": units, "available": counts["on_hand"] - units}}


def _assert_exact(oms: Scenario, *order_ids: str) -> None:
    """Nothing made or lost: on_hand = available + reserved everywhere, and what is reserved is exactly
    what the orders' shipments carry."""
    carried: dict[tuple[str, str], int] = {}
    for order_id in order_ids:
        for shipment in oms.order(order_id)["shipments"]:
            for line in shipment["lines"]:
                key = (line["sku"], shipment["partner_id"])
                carried[key] = carried.get(key, 0) + line["quantity"]
    stock = _stock()
    assert {key: counts["on_hand"] for key, counts in stock.items()} == {
        key: c["on_hand"] for key, c in _seeded().items()
    }
    assert all(counts["on_hand"] == counts["available"] + counts["reserved"] for counts in stock.values())
    assert {key: counts["reserved"] for key, counts in stock.items() if counts["reserved"]} == carried


def _assert_adds_up(view: dict[str, Any]) -> None:
    """The order as the API shows it is whole: each line's counters add up and match its shipments."""
    for line in view["lines"]:
        in_shipments = sum(
            x["quantity"]
            for s in view["shipments"]
            if s["status"] != "CANCELLED"
            for x in s["lines"]
            if x["sku"] == line["sku"]
        )
        placed = line["allocated"] + line["backordered"] + line["cancelled"]
        assert line["allocated"] == in_shipments
        assert placed == (0 if view["status"] == "PLACED" else line["quantity"])


def _allocated_once(oms: Scenario, order_id: str) -> None:
    view = oms.order(order_id)
    _assert_adds_up(view)
    assert [(s["partner_id"], len(s["lines"])) for s in view["shipments"]] == [
        ("main-warehouse", 100),
        ("east-3pl", 100),
    ]
    assert [e["type"] for e in view["timeline"]] == ["OrderPlaced", "OrderAllocated"]


def test_a_hundred_lines_each_split_over_two_locations_allocate_whole_with_exact_reservations(bulk: Scenario) -> None:
    order_id = _place(bulk)

    with transactions_seen(CHUNKED) as seen:
        allocation = _allocate(bulk, order_id)

    assert allocation["outcome"] == "ALLOCATED"
    # 200 reservations, 2 shipments, 1 timeline entry, the order list's copy at each of the 2 partners
    assert [len(items) for items in seen] == [8, 100, 100]
    assert all((line["allocated"], line["backordered"]) == (ORDERED, 0) for line in bulk.order(order_id)["lines"])
    assert _stock()[(SKUS[0], "main-warehouse")] == {"on_hand": 5, "reserved": 5, "available": 0}
    assert _stock()[(SKUS[0], "east-3pl")] == {"on_hand": 5, "reserved": 2, "available": 3}
    _allocated_once(bulk, order_id)
    _assert_exact(bulk, order_id)


# Every chunk boundary is covered cheaply by the protocol's own tests (test_commit_round.py, small chunks);
# here one boundary each, with the real 100-line round.
@pytest.mark.parametrize("chunks_written", [2])
def test_an_allocation_that_dies_between_chunks_completes_exactly_once_when_run_again(
    bulk: Scenario, chunks_written: int
) -> None:
    order_id = _place(bulk)

    with (
        cancelled_transactions(CHUNKED, after=chunks_written) as fault,
        pytest.raises(FunctionError, match="TransientError"),
    ):
        _allocate(bulk, order_id)
    half = bulk.order(order_id)
    again = _allocate(bulk, order_id)

    assert fault.injected == 1
    assert (half["status"], half["shipments"]) == ("PLACED", [])
    assert _stock() != _seeded()  # the first attempt's chunks still hold their stock until the retry
    assert again["outcome"] == "ALLOCATED"
    _allocated_once(bulk, order_id)
    _assert_exact(bulk, order_id)


@pytest.mark.parametrize("chunks_written", [1])
def test_two_attempts_running_interleaved_commit_the_round_once(bulk: Scenario, chunks_written: int) -> None:
    order_id = _place(bulk)
    second: list[dict[str, Any]] = []

    with before_transaction(
        CHUNKED, lambda: second.append(_allocate_elsewhere(order_id)), after=chunks_written
    ) as other:
        first = _allocate(bulk, order_id)

    assert other.ran
    assert first == second[0]
    assert first["outcome"] == "ALLOCATED"
    _allocated_once(bulk, order_id)
    _assert_exact(bulk, order_id)


def test_stock_taken_by_another_order_midway_is_given_back_whole_and_the_order_allocated_again(
    bulk: Scenario,
) -> None:
    order_id = _place(bulk)
    rival = _place(bulk, "RIVAL-1", [SKUS[-1]], 1)  # takes the warehouse unit the round's last chunk wants

    with (
        before_transaction(CHUNKED, lambda: _allocate_elsewhere(rival), after=1) as other,
        pytest.raises(FunctionError, match="ReservationConflict"),
    ):
        _allocate(bulk, order_id)
    given_back = _stock()
    half = bulk.order(order_id)
    again = _allocate(bulk, order_id)

    assert other.ran
    assert given_back == _taken(_seeded(), SKUS[-1], "main-warehouse", 1)
    assert (half["status"], half["shipments"], len(half["timeline"])) == ("PLACED", [], 1)
    assert again["outcome"] == "ALLOCATED"
    assert [x for s in bulk.order(order_id)["shipments"] for x in s["lines"] if x["sku"] == SKUS[-1]] == [
        {"sku": SKUS[-1], "quantity": 4},
        {"sku": SKUS[-1], "quantity": 3},
    ]
    _assert_exact(bulk, order_id, rival)


def test_a_give_back_that_dies_midway_is_finished_by_the_next_attempt(bulk: Scenario) -> None:
    order_id = _place(bulk)
    rival = _place(bulk, "RIVAL-1", [SKUS[-1]], 1)

    with (
        before_transaction(CHUNKED, lambda: _allocate_elsewhere(rival), after=1),
        cancelled_transactions(GIVING_BACK, after=1) as fault,
        pytest.raises(FunctionError, match="TransientError"),
    ):
        _allocate(bulk, order_id)
    still_held = _stock()
    with pytest.raises(FunctionError, match="ReservationConflict"):
        _allocate(bulk, order_id)
    given_back = _stock()
    again = _allocate(bulk, order_id)

    assert fault.injected == 1
    assert still_held != _taken(_seeded(), SKUS[-1], "main-warehouse", 1)
    assert given_back == _taken(_seeded(), SKUS[-1], "main-warehouse", 1)
    assert again["outcome"] == "ALLOCATED"
    _assert_exact(bulk, order_id, rival)


@pytest.mark.parametrize("chunks_written", [2])
def test_a_reader_during_a_half_written_round_sees_an_order_whose_counters_add_up(
    bulk: Scenario, chunks_written: int
) -> None:
    # 2 units of each line wait: 200 reservations, 2 timeline entries, 100 queue entries, 2 shipments.
    order_id = _place(bulk, quantity=12)
    seen: list[dict[str, Any]] = []

    with before_transaction(CHUNKED, lambda: seen.append(bulk.order(order_id)), after=chunks_written):
        allocation = _allocate(bulk, order_id)
    whole = bulk.order(order_id)

    (half,) = seen
    assert (half["status"], half["shipments"], [e["type"] for e in half["timeline"]]) == ("PLACED", [], ["OrderPlaced"])
    _assert_adds_up(half)
    assert allocation["outcome"] == "BACKORDERED"
    assert {(line["allocated"], line["backordered"]) for line in whole["lines"]} == {(10, 2)}
    _assert_adds_up(whole)
    _assert_exact(bulk, order_id)


def test_compensating_an_order_whose_round_died_midway_gives_back_what_the_round_held(bulk: Scenario) -> None:
    order_id = _place(bulk)

    with cancelled_transactions(CHUNKED, after=2), pytest.raises(FunctionError, match="TransientError"):
        _allocate(bulk, order_id)
    held = _stock()
    bulk.stack.invoke("compensate", {"order_id": order_id, "error": {"Error": "TransientError", "Cause": "busy"}})

    assert held != _seeded()
    assert _stock() == _seeded()
    assert bulk.order(order_id)["status"] == "FAILED"


def test_a_round_that_fits_is_one_transaction(oms: Scenario) -> None:
    reply = oms.place()

    with transactions_seen() as seen:
        oms.stack.invoke("allocate", {"order_id": reply.json["order_id"]})

    # The header (listing the order), one reservation, one shipment, one timeline entry, the partner's list copy.
    assert [len(items) for items in seen] == [5]


def _kept_after(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The order as each `_commit` said its round leaves it, kept as the step computed it."""
    from oms.fulfilment import allocate

    kept: list[Any] = []
    commit = allocate._commit

    def keeping(*args: Any, **kwargs: Any) -> Any:
        committed, after = commit(*args, **kwargs)
        kept.append((committed, after))
        return committed, after

    monkeypatch.setattr(allocate, "_commit", keeping)
    return kept


def _as_read(order: Any) -> dict[str, Any]:
    """An order as compared: timeline entries of one write share their time, and the store orders those
    by a nonce, so they compare as a set."""
    dumped = order.model_dump(mode="json")
    dumped["timeline"] = sorted(dumped["timeline"], key=lambda e: (e["at"], e["event_type"]))
    return dumped


@pytest.mark.parametrize(
    ("policy", "lines"),
    [
        ("ship_available", [{"sku": "TEE-RED-M", "quantity": 2}]),
        ("ship_available", [{"sku": "TEE-RED-M", "quantity": 12}, {"sku": "DESK-OAK", "quantity": 1}]),
        ("ship_available", [{"sku": "TEE-RED-M", "quantity": 20}]),
        ("ship_complete", [{"sku": "TEE-RED-M", "quantity": 20}]),
        ("cancel_unavailable", [{"sku": "TEE-RED-M", "quantity": 20}, {"sku": "DESK-OAK", "quantity": 1}]),
    ],
)
def test_the_first_round_answers_from_the_order_exactly_as_it_was_written(
    oms: Scenario, monkeypatch: pytest.MonkeyPatch, policy: str, lines: list[dict[str, Any]]
) -> None:
    from oms.fulfilment.allocate import allocate_order
    from oms.repository import orders as repo

    kept = _kept_after(monkeypatch)
    order_id = oms.place(lines=lines, backorder_policy=policy).json["order_id"]

    answered = allocate_order(order_id)

    [(committed, after)] = kept
    assert committed == "committed"
    read = repo.load(order_id)
    assert read is not None
    assert _as_read(after) == _as_read(read)
    assert answered.model_dump() == allocate_order(order_id).model_dump()  # read back by a retry


def test_a_first_round_written_in_chunks_answers_from_the_order_exactly_as_it_was_written(
    bulk: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.fulfilment.allocate import allocate_order
    from oms.repository import orders as repo

    kept = _kept_after(monkeypatch)
    order_id = _place(bulk)

    allocate_order(order_id)

    [(committed, after)] = kept
    assert committed == "committed"
    assert _as_read(after) == _as_read(repo.load(order_id))
