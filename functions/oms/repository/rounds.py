"""An allocation round written exactly once: in one transaction when it fits, in chunks under a plan kept
on the order header when it does not (docs/decisions.md, 16).

A round is the header's move to the next `allocation_round`, the stock it reserves and the items that
go with it (shipments, queue entries, timeline entries...). DynamoDB takes at most 100 writes in one
transaction, so a bigger round is split: the first chunk stores the whole plan on the header, every
chunk marks itself done there, the last one moves the round on and drops the plan. Any attempt that
finds a plan in progress carries it on (or, once it is being given back, finishes giving it back), so
an attempt may die between any two chunks. A refused reservation gives back every chunk written
and answers STOCK_MOVED. Items of the order carry the round that wrote them, and `orders.load` hides
those of a round the header has not reached, so no reader sees half a round.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

from oms.repository import round_plan as header
from oms.repository.dynamo import Cancelled, transact
from oms.repository.inventory import StockAction, StockMove
from oms.repository.round_plan import Plan, Progress, chunked, progress, tagged

TRANSACTION_LIMIT = 100


class AllocationCommit(StrEnum):
    COMMITTED = "committed"  # this call committed the round as its caller planned it
    CARRIED = "carried"  # this call committed the round another attempt planned, finishing its chunks
    ALREADY_DONE = "already_done"  # another attempt of the same round committed first
    STOCK_MOVED = "stock_moved"  # a location no longer had what was read: allocate again

    @property
    def by_this_call(self) -> bool:
        """Whether this call committed the round (its own plan or another's): what it counts once."""
        return self in (AllocationCommit.COMMITTED, AllocationCommit.CARRIED)


def commit_round(
    order_id: str,
    expected_round: int,
    header_changes: dict[str, Any],
    reservations: Sequence[StockMove],
    items: Sequence[dict[str, Any]],
    *,
    limit: int = TRANSACTION_LIMIT,
) -> AllocationCommit:
    """Write one round exactly once: `header_changes` with `allocation_round` moved on from
    `expected_round`, every reservation and every item, seen by readers all at once; STOCK_MOVED, with
    nothing kept, if a location no longer has the units.

    `items` are transaction items from this package: puts of new items, updates, deletes. A round of
    more than `limit` writes goes in chunks; the last, which commits it, carries the last items, so
    list last what is read from outside the order (a partner's shipments, the SKU queues). Only puts
    may go before it: giving a round back deletes what they wrote. A write other than a reservation
    that is refused gives the round back too, then raises `Cancelled`.
    """
    if any(move.action != StockAction.RESERVE for move in reservations):
        raise ValueError("a round's reservations reserve; other stock moves are items")
    chunks = chunked(reservations, [tagged(order_id, expected_round + 1, item) for item in items], limit)
    plan = Plan(secrets.token_hex(8), expected_round, header_changes, tuple(chunks)) if len(chunks) > 1 else None
    first = header.at_once(order_id, expected_round, header_changes) if plan is None else header.begun(order_id, plan)
    try:
        transact([first, *chunks[0].writes()])
    except Cancelled as refused:
        if refused.failed(0):  # another round or plan got there first: see where it is
            return _carry_on(order_id, expected_round, progress(order_id), own=None)
        if chunks[0].reservation_refused(refused):
            return AllocationCommit.STOCK_MOVED
        raise
    if plan is None:
        return AllocationCommit.COMMITTED
    return _carry_on(order_id, expected_round, Progress(expected_round, plan, done=frozenset({0})), own=plan.plan_id)


def abandon_round(order_id: str) -> bool:
    """Give back a round still being written on the order, whoever started it; False if there is none.
    For an order that will not finish: the attempt that started the round is not coming back."""
    found = progress(order_id)
    while found.plan is not None and not found.giving_back:
        if header.start_giving_back(order_id, found.plan.plan_id):
            break
        found = progress(order_id)
    if found.plan is None:
        return False
    _give_back(order_id, found.plan.plan_id)
    return True


def _carry_on(order_id: str, expected_round: int, found: Progress, own: str | None) -> AllocationCommit:
    """Take whatever round the header holds as far as it goes: written whole, or given back whole. `own`,
    the id of the plan this call began: committing any other is CARRIED."""
    while True:
        if found.round > expected_round:
            return AllocationCommit.ALREADY_DONE
        plan = found.plan
        if plan is None:  # the plan this attempt saw was given back: the round must be planned again
            return AllocationCommit.STOCK_MOVED
        if found.giving_back:
            _give_back(order_id, plan.plan_id)
            return AllocationCommit.STOCK_MOVED
        index = min(set(range(len(plan.chunks))) - found.done)
        last = index == len(plan.chunks) - 1
        mark = header.committed(order_id, plan) if last else header.chunk_done(order_id, plan, index)
        chunk = plan.chunks[index]
        try:
            transact([mark, *chunk.writes()])
        except Cancelled as refused:
            found = progress(order_id)
            if found.round > expected_round or found.moved_on(plan, index):
                continue
            if refused.failed(0):
                raise RuntimeError(f"order {order_id}: chunk {index} refused by the plan waiting for it") from refused
            # One of the chunk's own writes was refused: the round cannot be written as planned.
            if not header.start_giving_back(order_id, plan.plan_id):
                found = progress(order_id)
                continue
            _give_back(order_id, plan.plan_id)
            if chunk.reservation_refused(refused):
                return AllocationCommit.STOCK_MOVED
            raise
        if last:
            return AllocationCommit.COMMITTED if plan.plan_id == own else AllocationCommit.CARRIED
        found = replace(found, done=found.done | {index})


def _give_back(order_id: str, plan_id: str) -> None:
    """Undo every chunk of a plan being given back, each once whoever else is at it, then drop the plan."""
    while True:
        found = progress(order_id)
        if found.plan is None or found.plan.plan_id != plan_id:
            return
        for index in sorted(found.done):
            try:
                transact([header.chunk_given_back(order_id, plan_id, index), *found.plan.chunks[index].undone()])
            except Cancelled as refused:
                if not refused.failed(0):
                    raise
                # Another attempt gave this chunk back first.
        if header.drop_given_back(order_id, plan_id):
            return
