"""How a round's writes are cut into transactions: reservations first, the last transaction full."""

import pytest

from oms.repository.inventory import StockAction, StockMove
from oms.repository.round_plan import chunked


def _reservations(count: int) -> list[StockMove]:
    return [StockMove(StockAction.RESERVE, f"SKU-{n}", "main-warehouse", 1) for n in range(count)]


def _puts(count: int) -> list[dict]:
    return [{"Put": {"TableName": "Orders", "Item": {"PK": {"S": f"P#{n}"}}}} for n in range(count)]


def _updates(count: int) -> list[dict]:
    return [{"Update": {"TableName": "Orders", "Key": {"PK": {"S": f"U#{n}"}}}} for n in range(count)]


def test_a_round_that_fits_beside_the_header_is_one_chunk():
    (only,) = chunked(_reservations(60), _puts(39), limit=100)

    assert (len(only.reservations), len(only.items)) == (60, 39)


def test_the_last_chunk_is_full_and_the_first_takes_what_is_left():
    chunks = chunked(_reservations(200), _puts(3), limit=100)

    assert [(len(c.reservations), len(c.items)) for c in chunks] == [(5, 0), (99, 0), (96, 3)]


def test_reservations_come_first_and_writes_other_than_puts_last():
    updates, puts = _updates(2), _puts(3)

    chunks = chunked(_reservations(4), [*updates, *puts], limit=4)

    assert [len(c.reservations) for c in chunks] == [3, 1, 0]
    assert [item for c in chunks for item in c.items] == [*puts, *updates]
    assert chunks[-1].items[-2:] == tuple(updates)


def test_writes_other_than_puts_must_fit_in_the_last_chunk():
    with pytest.raises(ValueError, match="at most 3 items other than puts"):
        chunked(_reservations(1), _updates(4), limit=4)


def test_a_round_with_nothing_to_write_but_the_header_is_one_empty_chunk():
    (only,) = chunked([], [], limit=100)

    assert (only.reservations, only.items) == ((), ())
