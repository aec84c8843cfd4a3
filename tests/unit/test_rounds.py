"""Allocation rounds: re-allocation after a rejection, releases by a receipt, and where the execution goes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from oms.allocation import Location
from oms.fulfilment import rounds
from oms.records import StoredOrder, StoredShipment
from oms.statuses import BackorderPolicy, ShipmentKind
from oms.steps import Next

LOCATIONS = (
    Location("main-warehouse", ShipmentKind.WAREHOUSE),
    Location("east-3pl", ShipmentKind.THIRD_PARTY),
    Location("west-3pl", ShipmentKind.THIRD_PARTY),
)
PARTNERS = [location.partner_id for location in LOCATIONS]
SKUS = ("TEE", "CAP", "MUG")
NOW = "2026-11-30T10:00:00Z"


def order(
    order_id: str = "o1",
    *,
    waiting: dict[str, int],
    policy: BackorderPolicy = BackorderPolicy.ship_available,
    excluded: list[str] | None = None,
    state: str = "ALLOCATED",
    shipments: list[dict[str, Any]] | None = None,
) -> StoredOrder:
    """An order allocated before, with `waiting` units per SKU backordered."""
    return StoredOrder.model_validate(
        {
            "order_id": order_id,
            "external_ref": order_id,
            "body_hash": "-",
            "state": state,
            "allocation_round": 1,
            "backorder_policy": policy,
            "customer": {"email": "ada@example.com", "name": "Ada"},
            "shipping_address": {
                "name": "Ada", "line1": "1 Road", "city": "London", "postal_code": "SW1Y 4JH", "country": "GB",
            },
            "lines": [
                {"sku": sku, "quantity": units + 1, "backordered": units, "waiting_since": NOW}
                for sku, units in waiting.items()
            ],
            "excluded_partners": excluded or [],
            "created_at": NOW,
            "updated_at": NOW,
            "shipments": shipments or [],
        }
    )  # fmt: skip


stock_levels = st.dictionaries(
    st.sampled_from(SKUS), st.dictionaries(st.sampled_from(PARTNERS), st.integers(0, 6)), min_size=1
)
waiting_units = st.dictionaries(st.sampled_from(SKUS), st.integers(1, 8), min_size=1)
policies = st.sampled_from(list(BackorderPolicy))


# --- re-allocation after a rejection ---------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(waiting_units, stock_levels, st.sets(st.sampled_from(PARTNERS)), policies)
def test_a_re_allocation_never_uses_a_partner_that_rejected_the_order(waiting, available, excluded, policy):
    o = order(waiting=waiting, excluded=sorted(excluded), policy=policy)

    allocation = rounds.plan(o, available, LOCATIONS, {})

    assert not {shipment.partner_id for shipment in allocation.shipments} & excluded
    for sku, units in waiting.items():
        # every waiting unit is allocated, still waits, or is cancelled: exactly once
        assert (
            allocation.allocated(sku) + allocation.backordered.get(sku, 0) + allocation.cancelled.get(sku, 0) == units
        )
    lines = rounds.lines_after(o, allocation, NOW)
    for line, before in zip(lines, o.lines, strict=True):
        assert line.rerouting == 0
        assert (
            line.backordered + line.cancelled + allocation.allocated(line.sku) == before.backordered + before.cancelled
        )


def test_a_cancel_order_order_cancels_only_what_it_cannot_re_route_once_under_way():
    o = order(waiting={"TEE": 3}, policy=BackorderPolicy.cancel_order)

    allocation = rounds.plan(o, {"TEE": {"east-3pl": 1}}, LOCATIONS, {})

    assert allocation.allocated("TEE") == 1 and allocation.cancelled == {"TEE": 2}


def test_a_rejection_sends_units_elsewhere_or_cancels_them_by_reason():
    shipment = StoredShipment.model_validate(
        {"shipment_id": "o1-S1", "order_id": "o1", "number": 1, "partner_id": "main-warehouse",
         "kind": "WAREHOUSE", "status": "SENT", "lines": [{"sku": "TEE", "quantity": 2}], "sent_at": NOW}
    )  # fmt: skip
    o = order(waiting={"TEE": 0, "CAP": 1})

    (tee, cap) = rounds.lines_after_rejection(o, shipment, "out_of_stock")
    assert (tee.backordered, tee.rerouting, tee.cancelled) == (2, 2, 0) and cap == o.lines[1]
    (tee, _) = rounds.lines_after_rejection(o, shipment, "incorrect_address")
    assert (tee.backordered, tee.rerouting, tee.cancelled) == (0, 0, 2)
    dropship = shipment.model_copy(update={"kind": ShipmentKind.DROPSHIP})
    (tee, _) = rounds.lines_after_rejection(o, dropship, "other")
    assert tee.cancelled == 2


# --- releases by a receipt -------------------------------------------------------------------------

queues = st.lists(
    st.tuples(waiting_units, st.sampled_from([BackorderPolicy.ship_available, BackorderPolicy.ship_complete])),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(queues, stock_levels)
def test_releases_go_oldest_first_never_oversell_and_a_held_order_blocks_no_one(queue, available):
    waiting = [
        rounds.Waiting(order(f"o{n}", waiting=units, policy=policy), f"2026-11-{10 + n:02d}T00:00:00Z")
        for n, (units, policy) in enumerate(queue)
    ]

    released = rounds.releases(list(reversed(waiting)), available, LOCATIONS, {})

    taken: dict[tuple[str, str], int] = {}
    for _, allocation in released:
        for key, units in allocation.reserved_at().items():
            taken[key] = taken.get(key, 0) + units
    for (sku, location), units in taken.items():
        assert units <= available.get(sku, {}).get(location, 0)
    got = {o.order_id: allocation for o, allocation in released}
    assert [o.order_id for o, _ in released] == sorted(got, key=lambda i: int(i[1:]))
    for n, older in enumerate(waiting):
        allocation = got.get(older.order.order_id)
        if older.order.backorder_policy == BackorderPolicy.ship_complete:
            # held whole or released whole
            assert allocation is None or not allocation.backordered
            continue
        for sku in older.order.lines:
            still_waiting = (allocation.backordered.get(sku.sku, 0) if allocation else sku.backordered) > 0
            if still_waiting:
                # nobody younger took a unit of what an older order still waits for
                for younger in waiting[n + 1 :]:
                    later = got.get(younger.order.order_id)
                    assert later is None or later.allocated(sku.sku) == 0


def test_a_ship_complete_order_that_cannot_complete_lets_a_younger_one_through():
    held = rounds.Waiting(order("old", waiting={"TEE": 1, "CAP": 5}, policy=BackorderPolicy.ship_complete), "1")
    young = rounds.Waiting(order("young", waiting={"TEE": 1}), "2")

    released = rounds.releases([held, young], {"TEE": {"main-warehouse": 1}}, LOCATIONS, {})

    assert [o.order_id for o, _ in released] == ["young"]


# --- where the execution goes ----------------------------------------------------------------------


def _shipment(status: str, requested: bool = True) -> dict[str, Any]:
    return {
        "shipment_id": "o1-S1", "order_id": "o1", "number": 1, "partner_id": "main-warehouse", "kind": "WAREHOUSE",
        "status": status, "lines": [{"sku": "TEE", "quantity": 1}], "sent_at": NOW,
        "requested_at": NOW if requested else None,
    }  # fmt: skip


def test_the_execution_waits_while_anything_is_open_and_ends_when_nothing_is():
    assert rounds.next_step(order(waiting={"TEE": 0}, shipments=[_shipment("SHIPPED")])) is None
    assert rounds.next_step(order(waiting={"TEE": 1}, shipments=[_shipment("DELIVERED")])) is None
    assert rounds.next_step(order(waiting={"TEE": 0}, shipments=[_shipment("DELIVERED")])) == Next.DONE
    assert rounds.next_step(order(waiting={"TEE": 0}, shipments=[_shipment("SENT", requested=False)])) == Next.ALLOCATE
    rerouting = order(waiting={"TEE": 1}).model_copy()
    rerouting.lines[0].rerouting = 1
    assert rounds.next_step(rerouting) == Next.ALLOCATE
    assert rounds.next_step(order(waiting={"TEE": 1}, state="FAILED")) == Next.DONE
