"""Shipment moves and the order status that follows from line counters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.statuses import (
    SHIPMENT_TRANSITIONS,
    SHIPPED_STATUSES,
    LineCount,
    OrderStatus,
    ShipmentStatus,
    leaves_stock,
    move_applies,
    order_status,
)

S = ShipmentStatus
FORWARD = [S.SENT, S.ACCEPTED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED]


def test_the_transition_table_names_every_status():
    assert set(SHIPMENT_TRANSITIONS) == set(ShipmentStatus)


@pytest.mark.parametrize(("current", "new"), [(a, b) for i, a in enumerate(FORWARD) for b in FORWARD[i + 1 :]])
def test_a_forward_move_applies_even_when_it_skips_steps(current, new):
    assert move_applies(current, new)


@pytest.mark.parametrize(("current", "new"), [(a, b) for i, a in enumerate(FORWARD) for b in FORWARD[: i + 1]])
def test_a_backward_or_repeated_move_never_applies(current, new):
    assert not move_applies(current, new)


@pytest.mark.parametrize("ending", [S.REJECTED, S.CANCELLED])
def test_rejection_and_cancellation_end_a_shipment_only_before_it_ships(ending):
    assert [status for status in ShipmentStatus if move_applies(status, ending)] == [S.SENT, S.ACCEPTED]


def test_a_ship_after_cancellation_wins_the_race():
    assert move_applies(S.CANCELLED, S.SHIPPED)
    assert move_applies(S.CANCELLED, S.DELIVERED)
    assert not move_applies(S.CANCELLED, S.ACCEPTED)
    assert not move_applies(S.CANCELLED, S.REJECTED)


@pytest.mark.parametrize("status", [S.DELIVERED, S.REJECTED])
def test_delivered_and_rejected_shipments_never_move_again(status):
    assert not any(move_applies(status, new) for new in ShipmentStatus)


@pytest.mark.parametrize("start", [S.SENT, S.ACCEPTED, S.CANCELLED])
def test_the_first_move_into_a_shipped_status_takes_units_out_of_stock(start):
    assert leaves_stock(start, S.SHIPPED)
    assert leaves_stock(start, S.DELIVERED)


def test_later_moves_and_moves_that_do_not_apply_leave_stock_alone():
    assert not leaves_stock(S.SHIPPED, S.IN_TRANSIT)
    assert not leaves_stock(S.SENT, S.ACCEPTED)
    assert not leaves_stock(S.REJECTED, S.SHIPPED)
    assert not leaves_stock(S.SHIPPED, S.SHIPPED)


@given(st.lists(st.sampled_from(list(ShipmentStatus)), max_size=12))
def test_any_stream_of_updates_takes_stock_out_once_exactly_when_the_shipment_shipped(updates):
    current, stock_moves = S.SENT, 0
    for new in updates:
        stock_moves += leaves_stock(current, new)
        if move_applies(current, new):
            current = new
    assert stock_moves == (1 if current in SHIPPED_STATUSES else 0)


def _status(*lines: LineCount, failed: bool = False, placed_only: bool = False) -> OrderStatus:
    return order_status(lines, failed=failed, placed_only=placed_only)


def test_a_failed_order_is_failed_whatever_its_lines_say():
    assert _status(LineCount(2, allocated=2, shipped=2), failed=True) is OrderStatus.FAILED


def test_an_order_not_yet_allocated_is_placed():
    assert _status(LineCount(2), placed_only=True) is OrderStatus.PLACED


def test_an_order_with_every_unit_cancelled_is_cancelled():
    assert _status(LineCount(2, cancelled=2), LineCount(1, cancelled=1)) is OrderStatus.CANCELLED


def test_cancelled_units_do_not_hold_back_delivered():
    assert _status(LineCount(3, allocated=2, cancelled=1, shipped=2, delivered=2)) is OrderStatus.DELIVERED


def test_an_order_whose_live_units_all_shipped_is_shipped():
    lines = (LineCount(2, allocated=2, shipped=2, delivered=1), LineCount(1, cancelled=1))
    assert _status(*lines) is OrderStatus.SHIPPED


def test_an_order_with_some_units_shipped_is_partially_shipped():
    lines = (LineCount(2, allocated=1, backordered=1, shipped=1), LineCount(1, allocated=1))
    assert _status(*lines) is OrderStatus.PARTIALLY_SHIPPED


def test_an_order_with_nothing_dispatched_and_units_waiting_is_backordered():
    assert _status(LineCount(2, backordered=2), LineCount(1, cancelled=1)) is OrderStatus.BACKORDERED


def test_an_order_with_something_dispatched_and_nothing_shipped_is_processing():
    assert _status(LineCount(2, allocated=1, backordered=1)) is OrderStatus.PROCESSING
