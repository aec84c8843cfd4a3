"""The statuses of orders and shipments, the shipment moves that apply, how an order's status follows, and the
kinds of stock movement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    BACKORDERED = "BACKORDERED"
    PROCESSING = "PROCESSING"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


class ShipmentStatus(StrEnum):
    SENT = "SENT"
    ACCEPTED = "ACCEPTED"
    SHIPPED = "SHIPPED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class ShipmentKind(StrEnum):
    WAREHOUSE = "WAREHOUSE"
    THIRD_PARTY = "THIRD_PARTY"
    DROPSHIP = "DROPSHIP"


class BackorderPolicy(StrEnum):
    ship_available = "ship_available"
    ship_complete = "ship_complete"
    cancel_unavailable = "cancel_unavailable"
    cancel_order = "cancel_order"


class OrderState(StrEnum):
    """What the order's own record says of it; the status the API shows also follows from its shipments."""

    PLACED = "PLACED"  # accepted, not yet allocated
    ALLOCATED = "ALLOCATED"  # allocated at least once: its shipments and line counters tell the rest
    FAILED = "FAILED"  # the system could not finish it


class PartnerKind(StrEnum):
    WAREHOUSE = "WAREHOUSE"
    THIRD_PARTY = "THIRD_PARTY"
    VENDOR = "VENDOR"


class Fulfilment(StrEnum):
    STOCKED = "STOCKED"
    DROPSHIP = "DROPSHIP"


class MovementKind(StrEnum):
    """Why a location's on_hand changed, as its stock ledger records it."""

    OPENING = "opening"  # the seed's count, a location's first
    RECEIPT = "receipt"
    STOCKTAKE = "stocktake"
    SHIPMENT = "shipment"  # a partner's SHIPPED: the units left the building
    OUT_OF_STOCK = "out_of_stock"  # a partner's rejection for out_of_stock: on_hand set to what others hold


# The kind of shipment each kind of partner gets: a vendor's shipment is a drop-ship.
SHIPMENT_KIND_OF: dict[PartnerKind, ShipmentKind] = {
    PartnerKind.WAREHOUSE: ShipmentKind.WAREHOUSE,
    PartnerKind.THIRD_PARTY: ShipmentKind.THIRD_PARTY,
    PartnerKind.VENDOR: ShipmentKind.DROPSHIP,
}
# Partners that hold tracked stock, in the contract's order of preference.
LOCATION_KINDS: tuple[PartnerKind, ...] = (PartnerKind.WAREHOUSE, PartnerKind.THIRD_PARTY)


_S = ShipmentStatus

# Forward moves only; steps may be skipped. Any move not listed (including to the same status) is
# backward or stale and must change nothing, so a repeated or late partner event is harmless.
SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    _S.SENT: frozenset({_S.ACCEPTED, _S.SHIPPED, _S.IN_TRANSIT, _S.DELIVERED, _S.REJECTED, _S.CANCELLED}),
    _S.ACCEPTED: frozenset({_S.SHIPPED, _S.IN_TRANSIT, _S.DELIVERED, _S.REJECTED, _S.CANCELLED}),
    _S.SHIPPED: frozenset({_S.IN_TRANSIT, _S.DELIVERED}),
    _S.IN_TRANSIT: frozenset({_S.DELIVERED}),
    _S.DELIVERED: frozenset(),
    _S.REJECTED: frozenset(),
    # The partner may have shipped before our cancellation reached it: the parcel is real, so its
    # ship wins the race (see `ships_after_cancellation`).
    _S.CANCELLED: frozenset({_S.SHIPPED, _S.IN_TRANSIT, _S.DELIVERED}),
}


def _after(status: ShipmentStatus) -> frozenset[ShipmentStatus]:
    """Every status reachable from `status` by forward moves."""
    seen: set[ShipmentStatus] = set()
    frontier = set(SHIPMENT_TRANSITIONS[status])
    while frontier:
        seen |= frontier
        frontier = {new for current in frontier for new in SHIPMENT_TRANSITIONS[current]} - seen
    return frozenset(seen)


# The statuses of a parcel that has left: SHIPPED and everything after it.
SHIPPED_STATUSES: frozenset[ShipmentStatus] = frozenset({_S.SHIPPED}) | _after(_S.SHIPPED)
# Statuses OMS may still cancel: those with a move into CANCELLED.
OPEN_STATUSES: frozenset[ShipmentStatus] = frozenset(
    status for status, moves in SHIPMENT_TRANSITIONS.items() if _S.CANCELLED in moves
)
# Settled: the order's execution stops following the shipment. Nothing can move it again, or it
# ended before shipping and only a ship that raced its cancellation can still move it.
SETTLED_STATUSES: frozenset[ShipmentStatus] = frozenset(
    status
    for status, moves in SHIPMENT_TRANSITIONS.items()
    if not moves or (status not in SHIPPED_STATUSES and moves <= SHIPPED_STATUSES)
)
# Ended without its units leaving: the shipment no longer holds them.
RELEASED_STATUSES: frozenset[ShipmentStatus] = SETTLED_STATUSES - SHIPPED_STATUSES


def move_applies(current: ShipmentStatus, new: ShipmentStatus) -> bool:
    """Whether moving a shipment from `current` to `new` is forward (applies) rather than backward."""
    return new in SHIPMENT_TRANSITIONS[current]


def leaves_stock(current: ShipmentStatus, new: ShipmentStatus) -> bool:
    """Whether this applying move is the one that takes the shipment's units out of stock.

    True exactly once in a shipment's life: the first applying move into a shipped status. From
    SENT/ACCEPTED the units leave `on_hand` and `reserved`; from CANCELLED (reservation already
    released) they leave `on_hand` and `available`. Drop-ship stock is not tracked: the caller
    skips DROPSHIP shipments.
    """
    return move_applies(current, new) and current not in SHIPPED_STATUSES and new in SHIPPED_STATUSES


def ships_after_cancellation(current: ShipmentStatus, new: ShipmentStatus) -> bool:
    """Whether this applying move is a partner's ship that won the race with OMS's cancellation."""
    return current in RELEASED_STATUSES and move_applies(current, new)


@dataclass(frozen=True)
class LineCount:
    """One order line's counters, as GET /orders shows them."""

    quantity: int
    allocated: int = 0
    backordered: int = 0
    cancelled: int = 0
    shipped: int = 0
    delivered: int = 0

    @property
    def live(self) -> int:
        """Units not cancelled: the ones the customer still expects."""
        return self.quantity - self.cancelled


def order_status(lines: Sequence[LineCount], *, failed: bool, placed_only: bool) -> OrderStatus:
    """The order's status, derived from its line counters by the contract's rules, first match wins."""
    if failed:
        return OrderStatus.FAILED
    if placed_only:
        return OrderStatus.PLACED
    if all(line.live <= 0 for line in lines):
        return OrderStatus.CANCELLED
    if all(line.delivered >= line.live for line in lines):
        return OrderStatus.DELIVERED
    if all(line.shipped >= line.live for line in lines):
        return OrderStatus.SHIPPED
    if any(line.shipped > 0 for line in lines):
        return OrderStatus.PARTIALLY_SHIPPED
    if all(line.allocated == 0 for line in lines) and any(line.backordered > 0 for line in lines):
        return OrderStatus.BACKORDERED
    return OrderStatus.PROCESSING
