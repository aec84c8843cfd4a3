"""The stock ledger's pure parts: counts after a stocktake or an out-of-stock report, how a shipment's moves and
their ledger entries are cut into transactions, and how a movement is named and filed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.repository import cursors, keys
from oms.repository.counts import Counts
from oms.repository.inventory import StockAction, StockMove, chunks, fitting, pending_move, writes_of
from oms.repository.ledger import Cause, movement_id
from oms.statuses import MovementKind

LIMIT = 99


def _move(action: StockAction, n: int = 0) -> StockMove:
    return StockMove(action, f"SKU-{n}", "main-warehouse", 1)


def test_a_stocktake_keeps_what_is_reserved_and_makes_the_rest_available():
    assert Counts(10, 4).counted(6) == Counts(6, 4)
    assert Counts(10, 4).counted(6).available == 2


def test_a_location_that_has_none_keeps_only_what_other_shipments_hold():
    after = Counts(10, 5).not_there(2)

    assert after == Counts(3, 3)
    assert after.available == 0


def test_a_location_cannot_withdraw_more_than_it_holds_reserved():
    with pytest.raises(ValueError, match="only 1 are reserved"):
        Counts(10, 1).not_there(2)


def test_moves_that_change_on_hand_take_a_ledger_entry_with_their_update():
    recorded = [StockAction.SHIP, StockAction.SHIP_UNRESERVED, StockAction.NOT_THERE]

    assert [writes_of(_move(action)) for action in recorded] == [2, 2, 2]
    assert [writes_of(_move(action)) for action in (StockAction.RESERVE, StockAction.RELEASE)] == [1, 1]


def test_a_shipment_takes_as_many_lines_as_fit_beside_its_other_writes():
    ships = [_move(StockAction.SHIP, n) for n in range(100)]

    assert fitting(ships, 100 - 3) == 48
    assert fitting(ships[:10], 97) == 10
    assert [len(chunk) for chunk in chunks(ships[48:], LIMIT)] == [49, 3]


@given(st.lists(st.sampled_from(list(StockAction)), max_size=300), st.integers(min_value=2, max_value=LIMIT))
def test_pending_moves_are_cut_in_order_each_once_within_the_room(actions: list[StockAction], room: int):
    moves = [_move(action, n) for n, action in enumerate(actions)]

    cut = chunks(moves, room)

    assert [move for chunk in cut for move in chunk] == moves
    assert all(sum(writes_of(move) for move in chunk) <= room for chunk in cut)
    assert cut == chunks(list(moves), room)


def test_a_pending_move_is_stored_without_the_counts_it_was_read_with():
    move = StockMove(StockAction.NOT_THERE, "TEE", "east-3pl", 2, seen=Counts(5, 2))

    assert pending_move(move.stored()) == move._replace(seen=None)


def test_the_same_cause_names_the_same_movement_whenever_it_happens():
    first = Cause("request#r-1", "2026-11-26T10:00:00.000Z", {"request_id": "r-1"})
    again = Cause("request#r-1", "2026-11-26T10:00:05.000Z", {"request_id": "r-1"})

    assert movement_id(MovementKind.RECEIPT, first) == movement_id(MovementKind.RECEIPT, again)
    assert movement_id(MovementKind.RECEIPT, first) != movement_id(MovementKind.STOCKTAKE, first)
    assert Cause.from_stored(first.stored()) == first


def test_a_locations_movements_are_filed_apart_in_time_order():
    early = keys.ledger_index("TEE", "main-warehouse", "2026-11-26T10:00:00.000Z", "receipt#request#b")
    late = keys.ledger_index("TEE", "main-warehouse", "2026-11-26T10:00:01.000Z", "receipt#request#a")

    assert early["LEDGERPK"] == late["LEDGERPK"] != keys.ledger("TEE", "east-3pl")
    assert early["LEDGERSK"] < late["LEDGERSK"]
    assert keys.movement("TEE", "main-warehouse", "x")["SK"].startswith("MOVE#main-warehouse#")


def test_a_ledger_cursor_is_taken_back_only_for_its_sku_and_location():
    last = {
        "PK": {"S": "SKU#TEE"},
        "SK": {"S": "MOVE#main-warehouse#receipt#request#a"},
        "LEDGERPK": {"S": keys.ledger("TEE", "main-warehouse")},
        "LEDGERSK": {"S": "2026-11-26T10:00:00.000Z#receipt#request#a"},
    }
    cursor = cursors.encode(last)
    assert cursor

    assert cursors.decode(cursor, keys.LEDGER_INDEX, keys.ledger("TEE", "main-warehouse")) == last
    with pytest.raises(cursors.BadCursor):
        cursors.decode(cursor, keys.LEDGER_INDEX, keys.ledger("TEE", "east-3pl"))
