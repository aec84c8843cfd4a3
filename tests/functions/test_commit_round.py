"""The round protocol on its own (`oms.repository.rounds.commit_round`), with chunks small enough to see
each step: one transaction while a round fits, chunks beyond, each chunk once, a refused write giving
the whole round back, and nothing of a round visible before it commits."""

from __future__ import annotations

from typing import Any

import pytest

from local.faults import before_transaction, cancelled_transactions, conditioned_on, transactions_seen
from oms.errors import TransientError
from oms.records import StoredLine, StoredOrder, StoredShipment
from oms.repository import inventory, orders
from oms.repository.dynamo import Cancelled
from oms.repository.inventory import StockAction, StockMove
from oms.repository.rounds import TRANSACTION_LIMIT, AllocationCommit, abandon_round, commit_round
from tests.scenario import Scenario

AT = "2026-11-26T10:00:00Z"
SKU = "TEE-RED-M"  # the seed holds 10 at main-warehouse, 5 at east-3pl
CHUNKED = conditioned_on("round_plan_id")


class Round:
    """A round of the seed's example order: one unit from each location, a shipment from each, one entry."""

    def __init__(self, order: StoredOrder, units: tuple[int, int] = (1, 1), entries: int = 1) -> None:
        self.order = order
        where = (("main-warehouse", "WAREHOUSE"), ("east-3pl", "THIRD_PARTY"))
        self.shipments = [
            StoredShipment(
                shipment_id=f"{order.order_id}-S{number}",
                order_id=order.order_id,
                number=number,
                partner_id=partner,
                kind=kind,
                status="SENT",
                lines=[{"sku": SKU, "quantity": count}],
                sent_at=AT,
            )
            for number, ((partner, kind), count) in enumerate(zip(where, units, strict=True), start=1)
        ]
        self.reservations = [
            StockMove(StockAction.RESERVE, SKU, s.partner_id, s.lines[0].quantity) for s in self.shipments
        ]
        self.header = {
            "state": "ALLOCATED",
            "lines": [StoredLine(sku=SKU, quantity=sum(units)).model_dump()],
            "shipment_count": 2,
            "updated_at": AT,
        }
        self.entries = [orders.event_item(order.order_id, "OrderAllocated", {"n": n}, AT) for n in range(entries)]

    def items(self, *extra: dict[str, Any]) -> list[dict[str, Any]]:
        return [*(orders.shipment_put(s) for s in self.shipments), *self.entries, *extra]

    def commit(self, limit: int = TRANSACTION_LIMIT, *extra: dict[str, Any]) -> AllocationCommit:
        return commit_round(
            self.order.order_id,
            self.order.allocation_round,
            self.header,
            self.reservations,
            self.items(*extra),
            limit=limit,
        )


def _placed(oms: Scenario, ref: str = "ROUND-1") -> StoredOrder:
    reply = oms.place(external_ref=ref, lines=[{"sku": SKU, "quantity": 2}])
    assert reply.status == 202, reply.body
    order = orders.load(reply.json["order_id"])
    assert order is not None
    return order


def _held() -> dict[str, tuple[int, int]]:
    """(reserved, available) per location; on_hand never changes here."""
    return {loc: (c["reserved"], c["available"]) for loc, c in inventory.stock([SKU])[SKU].items()}


SEEDED = {"main-warehouse": (0, 10), "east-3pl": (0, 5)}
ONE_EACH = {"main-warehouse": (1, 9), "east-3pl": (1, 4)}


def _committed(order_id: str) -> StoredOrder:
    order = orders.load(order_id)
    assert order is not None
    return order


def test_a_round_of_exactly_the_limit_is_one_transaction_and_one_write_more_is_two(oms: Scenario) -> None:
    # The header, 2 reservations and 2 shipments: 95 timeline entries make 100 writes.
    exactly, over = Round(_placed(oms, "ROUND-1"), entries=95), Round(_placed(oms, "ROUND-2"), entries=96)

    with transactions_seen() as seen:
        outcomes = [exactly.commit(), over.commit()]

    assert outcomes == [AllocationCommit.COMMITTED] * 2
    assert [len(items) for items in seen] == [100, 2, 100]
    assert len(_committed(over.order.order_id).timeline) == 97


def test_items_of_a_round_in_progress_stay_hidden_until_it_commits(oms: Scenario) -> None:
    written = Round(_placed(oms))
    order_id = written.order.order_id
    seen: list[StoredOrder | None] = []
    # Writes in chunks of two: [reservation], [reservation, shipment 1], [shipment 2, entry].
    with before_transaction(CHUNKED, lambda: seen.append(orders.load(order_id)), after=2):
        outcome = written.commit(limit=3)

    (half,) = seen
    assert half is not None
    assert (half.state, half.allocation_round, half.shipments) == ("PLACED", 0, [])
    assert [e.event_type for e in half.timeline] == ["OrderPlaced"]
    assert outcome == AllocationCommit.COMMITTED
    whole = _committed(order_id)
    assert (whole.state, whole.allocation_round, len(whole.shipments)) == ("ALLOCATED", 1, 2)
    assert sorted(e.event_type for e in whole.timeline) == ["OrderAllocated", "OrderPlaced"]
    assert _held() == ONE_EACH


def test_a_chunk_another_attempt_wrote_before_it_died_is_not_written_again(oms: Scenario) -> None:
    order = _placed(oms)
    first, second = Round(order), Round(order)

    def second_attempt_dies_after_writing_chunk_1() -> None:
        # Its own first chunk is refused (a plan is there), it writes chunk 1, its next one is cancelled.
        with cancelled_transactions(CHUNKED, after=2), pytest.raises(TransientError):
            second.commit(limit=2)

    with before_transaction(CHUNKED, second_attempt_dies_after_writing_chunk_1, after=1) as other:
        outcome = first.commit(limit=2)

    assert other.ran
    assert outcome == AllocationCommit.COMMITTED
    assert _held() == ONE_EACH
    assert len(_committed(order.order_id).shipments) == 2


@pytest.mark.parametrize("limit", [TRANSACTION_LIMIT, 2])
def test_an_attempt_that_finishes_the_plan_another_attempt_began_says_it_carried_it(oms: Scenario, limit: int) -> None:
    # The first attempt writes its first chunk and dies; the next, whether its own round fits one
    # transaction or not, finds that plan and finishes it: committed, but not as it planned it itself.
    order = _placed(oms)
    with cancelled_transactions(CHUNKED, after=1), pytest.raises(TransientError):
        Round(order).commit(limit=2)

    carried = Round(order, units=(2, 1)).commit(limit)

    assert carried == AllocationCommit.CARRIED
    assert carried.by_this_call
    assert _held() == ONE_EACH  # the first attempt's plan: not the 2 units from the warehouse this one planned


@pytest.mark.parametrize("limit", [TRANSACTION_LIMIT, 2])
def test_a_round_planned_at_a_round_already_committed_is_already_done(oms: Scenario, limit: int) -> None:
    order = _placed(oms)

    outcomes = [Round(order).commit(limit), Round(order).commit(limit)]

    assert outcomes == [AllocationCommit.COMMITTED, AllocationCommit.ALREADY_DONE]
    assert _held() == ONE_EACH


@pytest.mark.parametrize("limit", [TRANSACTION_LIMIT, 2])
def test_a_reservation_refused_in_the_first_chunk_writes_nothing(oms: Scenario, limit: int) -> None:
    order = _placed(oms)

    refused = Round(order, units=(11, 1)).commit(limit)
    then = Round(order).commit(limit)

    assert (refused, then) == (AllocationCommit.STOCK_MOVED, AllocationCommit.COMMITTED)
    assert _held() == ONE_EACH


def test_a_reservation_refused_in_a_later_chunk_gives_back_the_earlier_ones(oms: Scenario) -> None:
    order = _placed(oms)

    refused = Round(order, units=(1, 6)).commit(limit=2)  # east-3pl holds 5
    given_back = _held()
    then = Round(order).commit(limit=2)

    assert (refused, given_back, then) == (AllocationCommit.STOCK_MOVED, SEEDED, AllocationCommit.COMMITTED)
    assert _held() == ONE_EACH


def test_a_refused_item_gives_the_whole_round_back_and_raises(oms: Scenario) -> None:
    order = _placed(oms)
    written = Round(order)
    ghost = written.shipments[0].model_copy(update={"shipment_id": f"{order.order_id}-S9"})
    never_moves = orders.shipment_move(ghost, {"status": "ACCEPTED"})  # no such shipment: refused

    with pytest.raises(Cancelled):
        # [reservation, reservation], [shipment 1, shipment 2], [entry, move]: the last is refused.
        written.commit(3, never_moves)
    given_back = _held()
    again = Round(order).commit(limit=3)  # the same shipment ids: the first attempt's puts are gone

    assert given_back == SEEDED
    assert again == AllocationCommit.COMMITTED
    assert _held() == ONE_EACH


def test_abandoning_a_round_gives_back_what_its_chunks_wrote(oms: Scenario) -> None:
    order = _placed(oms)

    with cancelled_transactions(CHUNKED, after=3), pytest.raises(TransientError):
        Round(order).commit(limit=2)
    held = _held()
    abandoned, again = abandon_round(order.order_id), abandon_round(order.order_id)

    assert held == ONE_EACH
    assert (abandoned, again) == (True, False)
    assert _held() == SEEDED
    assert _committed(order.order_id).shipments == []
    assert Round(order).commit(limit=2) == AllocationCommit.COMMITTED
