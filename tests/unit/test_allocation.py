"""Allocation: where each unit of an order goes, by stock, preference and backorder policy."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.allocation import Allocation, LineRequest, Location, PlannedShipment, allocate
from oms.statuses import BackorderPolicy, ShipmentKind

P = BackorderPolicy
WAREHOUSE = Location("main-warehouse", ShipmentKind.WAREHOUSE)
EAST = Location("east-3pl", ShipmentKind.THIRD_PARTY)
WEST = Location("west-3pl", ShipmentKind.THIRD_PARTY)
LOCATIONS = (WAREHOUSE, EAST, WEST)


def _allocate(lines, available, *, locations=LOCATIONS, dropship=None, policy=P.ship_available) -> Allocation:
    requests = [LineRequest(sku, qty) for sku, qty in lines]
    return allocate(requests, available, locations, dropship or {}, policy)


def _where(allocation: Allocation) -> dict[str, tuple[tuple[str, int], ...]]:
    return {shipment.partner_id: shipment.lines for shipment in allocation.shipments}


# --- preference rules ------------------------------------------------------------------------


def test_prefers_the_merchants_own_warehouse_when_it_holds_everything():
    allocation = _allocate([("TEE", 2)], {"TEE": {"main-warehouse": 5, "east-3pl": 5}})
    assert _where(allocation) == {"main-warehouse": (("TEE", 2),)}


def test_prefers_one_third_party_shipment_over_a_split():
    allocation = _allocate([("TEE", 3)], {"TEE": {"main-warehouse": 2, "east-3pl": 3}})
    assert _where(allocation) == {"east-3pl": (("TEE", 3),)}


def test_prefers_the_earlier_third_party_when_both_could_ship_alone():
    allocation = _allocate([("TEE", 2)], {"TEE": {"east-3pl": 2, "west-3pl": 2}})
    assert _where(allocation) == {"east-3pl": (("TEE", 2),)}


def test_prefers_one_location_holding_every_line_over_one_per_line():
    available = {"TEE": {"main-warehouse": 1, "west-3pl": 1}, "CAP": {"east-3pl": 1, "west-3pl": 1}}
    allocation = _allocate([("TEE", 1), ("CAP", 1)], available)
    assert _where(allocation) == {"west-3pl": (("TEE", 1), ("CAP", 1))}


def test_splits_a_line_taking_most_from_the_preferred_location():
    allocation = _allocate([("TEE", 5)], {"TEE": {"main-warehouse": 3, "east-3pl": 3}})
    assert _where(allocation) == {"main-warehouse": (("TEE", 3),), "east-3pl": (("TEE", 2),)}


def test_a_split_uses_the_fewest_locations_even_without_the_warehouse():
    available = {"TEE": {"main-warehouse": 1, "east-3pl": 2, "west-3pl": 2}}
    allocation = _allocate([("TEE", 4)], available)
    assert _where(allocation) == {"east-3pl": (("TEE", 2),), "west-3pl": (("TEE", 2),)}


def test_a_split_includes_the_warehouse_when_it_can():
    available = {"TEE": {"main-warehouse": 2, "east-3pl": 2, "west-3pl": 2}}
    allocation = _allocate([("TEE", 4)], available)
    assert _where(allocation) == {"main-warehouse": (("TEE", 2),), "east-3pl": (("TEE", 2),)}


def test_fewest_shipments_can_skip_the_location_holding_the_most():
    available = {"TEE": {"main-warehouse": 2, "east-3pl": 3}, "CAP": {"main-warehouse": 2, "west-3pl": 3}}
    allocation = _allocate([("TEE", 3), ("CAP", 3)], available)
    assert _where(allocation) == {"east-3pl": (("TEE", 3),), "west-3pl": (("CAP", 3),)}


def test_shipment_lines_follow_the_order_of_the_request():
    available = {"TEE": {"main-warehouse": 9}, "CAP": {"main-warehouse": 9}, "MUG": {"main-warehouse": 9}}
    allocation = _allocate([("MUG", 1), ("TEE", 2), ("CAP", 3)], available)
    assert allocation.shipments[0].lines == (("MUG", 1), ("TEE", 2), ("CAP", 3))


def test_stock_at_locations_not_offered_is_left_alone():
    allocation = _allocate([("TEE", 2)], {"TEE": {"east-3pl": 5, "west-3pl": 5}}, locations=(WAREHOUSE, WEST))
    assert _where(allocation) == {"west-3pl": (("TEE", 2),)}


def test_many_locations_fall_back_to_a_greedy_choice_that_still_allocates_everything():
    locations = tuple(Location(f"3pl-{n:02}", ShipmentKind.THIRD_PARTY) for n in range(15))
    available = {"TEE": {f"3pl-{n:02}": 1 for n in range(15)}, "CAP": {"3pl-14": 4}}
    allocation = _allocate([("TEE", 3), ("CAP", 4)], available, locations=locations)
    assert allocation.allocated("TEE") == 3 and allocation.allocated("CAP") == 4
    assert _where(allocation)["3pl-14"] == (("TEE", 1), ("CAP", 4))
    assert len(allocation.shipments) == 3


# --- drop-ship -------------------------------------------------------------------------------


def test_drop_ship_lines_go_whole_to_their_vendor_one_shipment_per_vendor():
    dropship = {"DESK": "acme", "LAMP": "acme", "RUG": "weave"}
    allocation = _allocate(
        [("DESK", 1), ("TEE", 1), ("LAMP", 2), ("RUG", 1)], {"TEE": {"main-warehouse": 1}}, dropship=dropship
    )
    assert allocation.shipments == (
        PlannedShipment("main-warehouse", ShipmentKind.WAREHOUSE, (("TEE", 1),)),
        PlannedShipment("acme", ShipmentKind.DROPSHIP, (("DESK", 1), ("LAMP", 2))),
        PlannedShipment("weave", ShipmentKind.DROPSHIP, (("RUG", 1),)),
    )


def test_reservations_leave_out_drop_ship_lines():
    allocation = _allocate(
        [("DESK", 1), ("TEE", 5)], {"TEE": {"main-warehouse": 3, "east-3pl": 3}}, dropship={"DESK": "acme"}
    )
    assert allocation.reserved_at() == {("TEE", "main-warehouse"): 3, ("TEE", "east-3pl"): 2}


# --- policies --------------------------------------------------------------------------------


def test_ship_available_ships_what_there_is_and_backorders_the_rest():
    allocation = _allocate([("TEE", 5), ("CAP", 1)], {"TEE": {"main-warehouse": 2}}, policy=P.ship_available)
    assert _where(allocation) == {"main-warehouse": (("TEE", 2),)}
    assert allocation.backordered == {"TEE": 3, "CAP": 1}
    assert allocation.cancelled == {}


def test_cancel_unavailable_ships_what_there_is_and_cancels_the_rest():
    allocation = _allocate([("TEE", 5), ("CAP", 1)], {"TEE": {"main-warehouse": 2}}, policy=P.cancel_unavailable)
    assert _where(allocation) == {"main-warehouse": (("TEE", 2),)}
    assert allocation.cancelled == {"TEE": 3, "CAP": 1}
    assert allocation.backordered == {}


def test_ship_complete_holds_the_whole_order_drop_ship_included_when_a_unit_is_missing():
    allocation = _allocate(
        [("TEE", 3), ("DESK", 1)], {"TEE": {"main-warehouse": 2}}, dropship={"DESK": "acme"}, policy=P.ship_complete
    )
    assert allocation.shipments == ()
    assert allocation.reserved_at() == {}
    assert allocation.backordered == {"TEE": 3, "DESK": 1}


def test_ship_complete_ships_everything_when_every_unit_is_there():
    allocation = _allocate(
        [("TEE", 3), ("DESK", 1)], {"TEE": {"main-warehouse": 3}}, dropship={"DESK": "acme"}, policy=P.ship_complete
    )
    assert _where(allocation) == {"main-warehouse": (("TEE", 3),), "acme": (("DESK", 1),)}
    assert allocation.backordered == {} and allocation.cancelled == {}


def test_cancel_order_cancels_everything_drop_ship_included_when_a_unit_is_missing():
    allocation = _allocate(
        [("TEE", 3), ("DESK", 1)], {"TEE": {"main-warehouse": 2}}, dropship={"DESK": "acme"}, policy=P.cancel_order
    )
    assert allocation.shipments == ()
    assert allocation.cancelled == {"TEE": 3, "DESK": 1}
    assert allocation.backordered == {}


def test_a_sku_listed_twice_is_refused():
    with pytest.raises(ValueError):
        _allocate([("TEE", 1), ("TEE", 2)], {})


# --- properties ------------------------------------------------------------------------------

SKUS = ["A", "B", "C", "D", "E"]
PARTNERS = [f"loc-{n}" for n in range(16)]


@st.composite
def scenarios(draw, max_locations: int = 5):
    count = draw(st.integers(0, max_locations))
    locations = [
        Location(partner, draw(st.sampled_from([ShipmentKind.WAREHOUSE, ShipmentKind.THIRD_PARTY])))
        for partner in PARTNERS[:count]
    ]
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=len(SKUS), unique=True))
    lines = [LineRequest(sku, draw(st.integers(0, 12))) for sku in skus]
    dropship = {sku: draw(st.sampled_from(["v1", "v2"])) for sku in draw(st.sets(st.sampled_from(skus)))}
    available = {
        sku: {partner: draw(st.integers(-1, 6)) for partner in draw(st.sets(st.sampled_from(PARTNERS)))} for sku in SKUS
    }
    policy = draw(st.sampled_from(list(BackorderPolicy)))
    return lines, available, locations, dropship, policy


def _stock(available, sku, locations):
    return sum(max(0, available[sku].get(location.partner_id, 0)) for location in locations)


def _check_invariants(lines, available, locations, dropship, allocation):
    for (sku, partner), units in allocation.reserved_at().items():
        assert 0 < units <= available[sku].get(partner, 0)
        assert partner in {location.partner_id for location in locations}
    for line in lines:
        accounted = (
            allocation.allocated(line.sku)
            + allocation.backordered.get(line.sku, 0)
            + allocation.cancelled.get(line.sku, 0)
        )
        assert accounted == line.quantity
    partners = [shipment.partner_id for shipment in allocation.shipments]
    assert len(partners) == len(set(partners))
    assert all(qty > 0 for shipment in allocation.shipments for _, qty in shipment.lines)
    assert all(units > 0 for units in [*allocation.backordered.values(), *allocation.cancelled.values()])
    for shipment in allocation.shipments:
        assert all(
            (dropship.get(sku) == shipment.partner_id) == (shipment.kind == ShipmentKind.DROPSHIP)
            for sku, _ in shipment.lines
        )


@given(scenarios())
def test_every_unit_is_allocated_backordered_or_cancelled_once_and_only_from_real_stock(scenario):
    lines, available, locations, dropship, policy = scenario
    allocation = allocate(lines, available, locations, dropship, policy)
    _check_invariants(lines, available, locations, dropship, allocation)


@settings(max_examples=50)
@given(scenarios(max_locations=16))
def test_the_greedy_fallback_keeps_every_invariant(scenario):
    lines, available, locations, dropship, policy = scenario
    allocation = allocate(lines, available, locations, dropship, policy)
    _check_invariants(lines, available, locations, dropship, allocation)


@given(scenarios(max_locations=16))
def test_ship_available_allocates_as_much_as_stock_allows_now(scenario):
    lines, available, locations, dropship, _ = scenario
    allocation = allocate(lines, available, locations, dropship, P.ship_available)
    for line in lines:
        expected = line.quantity if line.sku in dropship else min(line.quantity, _stock(available, line.sku, locations))
        assert allocation.allocated(line.sku) == expected


@given(scenarios())
def test_no_fewer_stocked_shipments_could_have_allocated_the_same_units(scenario):
    lines, available, locations, dropship, _ = scenario
    allocation = allocate(lines, available, locations, dropship, P.ship_available)
    wanted = {line.sku: allocation.allocated(line.sku) for line in lines if line.sku not in dropship}
    used = sum(shipment.kind != ShipmentKind.DROPSHIP for shipment in allocation.shipments)
    for size in range(used):
        for subset in combinations(locations, size):
            assert not all(_stock(available, sku, subset) >= units for sku, units in wanted.items())


@given(scenarios())
def test_all_or_nothing_policies_never_part_ship(scenario):
    lines, available, locations, dropship, policy = scenario
    allocation = allocate(lines, available, locations, dropship, policy)
    if policy in (P.ship_complete, P.cancel_order):
        outcomes = [allocation.allocated(line.sku) == line.quantity for line in lines if line.quantity]
        assert all(outcomes) or not any(allocation.allocated(line.sku) for line in lines)
