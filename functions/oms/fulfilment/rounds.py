"""Allocation rounds as pure rules: which units a round asks for, under which policy, where it may look,
what the order's lines become, which orders a receipt releases, and where the execution goes next.

A round is the first allocation of an order, a re-allocation after a partner's rejection, or a release of
backordered units by a receipt. Nothing here reads a table or a clock: the callers pass what they read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oms.allocation import Allocation, LineRequest, Location, allocate
from oms.records import QueueChange, StoredLine, StoredOrder, StoredShipment
from oms.statuses import OPEN_STATUSES, SETTLED_STATUSES, BackorderPolicy, OrderState, ShipmentKind, ShipmentStatus
from oms.steps import Next

# After the first round the order's policy still decides what cannot be allocated: units waiting stay
# backordered (held whole under ship_complete), and the cancelling policies cancel what is left: a
# cancel_order order that has already shipped something can't be cancelled whole any more.
_LATER_POLICY = {
    BackorderPolicy.ship_available: BackorderPolicy.ship_available,
    BackorderPolicy.ship_complete: BackorderPolicy.ship_complete,
    BackorderPolicy.cancel_unavailable: BackorderPolicy.cancel_unavailable,
    BackorderPolicy.cancel_order: BackorderPolicy.cancel_unavailable,
}


def is_first(order: StoredOrder) -> bool:
    return order.state == OrderState.PLACED


def requests(order: StoredOrder) -> list[LineRequest]:
    """What a round asks for: every unit in the first round, then the units waiting."""
    if is_first(order):
        return [LineRequest(line.sku, line.quantity) for line in order.lines]
    return [LineRequest(line.sku, line.backordered) for line in order.lines if line.backordered > 0]


def policy(order: StoredOrder) -> BackorderPolicy:
    return order.backorder_policy if is_first(order) else _LATER_POLICY[order.backorder_policy]


def open_to(order: StoredOrder, locations: Sequence[Location]) -> list[Location]:
    """The locations a round of this order may use: never a partner that rejected its units."""
    excluded = set(order.excluded_partners)
    return [location for location in locations if location.partner_id not in excluded]


def plan(
    order: StoredOrder,
    available: Mapping[str, Mapping[str, int]],
    locations: Sequence[Location],
    dropship: Mapping[str, str],
) -> Allocation:
    return allocate(requests(order), available, open_to(order, locations), dropship, policy(order))


def lines_after(order: StoredOrder, allocation: Allocation, now: str) -> list[StoredLine]:
    """The order's lines once the round is written: what it asked for is allocated, waits or is cancelled."""
    first = is_first(order)
    result = []
    for line in order.lines:
        asked = line.quantity if first else line.backordered
        if asked == 0:
            result.append(line.model_copy(update={"rerouting": 0}))
            continue
        backordered = allocation.backordered.get(line.sku, 0)
        result.append(
            line.model_copy(
                update={
                    "backordered": backordered,
                    "cancelled": line.cancelled + allocation.cancelled.get(line.sku, 0),
                    "rerouting": 0,
                    "waiting_since": (line.waiting_since or now) if backordered else None,
                }
            )
        )
    return result


def queue_changes(before: Sequence[StoredLine], after: Sequence[StoredLine]) -> list[QueueChange]:
    changes = []
    for old, new in zip(before, after, strict=True):
        if new.backordered and new.waiting_since:
            if (old.backordered, old.waiting_since) != (new.backordered, new.waiting_since):
                changes.append(QueueChange(new.sku, new.waiting_since, new.backordered))
        elif old.waiting_since:
            changes.append(QueueChange(old.sku, old.waiting_since, 0))
    return changes


@dataclass(frozen=True)
class Waiting:
    """An order in a SKU's backorder queue, as a receipt sees it."""

    order: StoredOrder
    since: str


def releases(
    queue: Sequence[Waiting],
    available: Mapping[str, Mapping[str, int]],
    locations: Sequence[Location],
    dropship: Mapping[str, str],
) -> list[tuple[StoredOrder, Allocation]]:
    """The rounds a receipt runs, oldest backorder first: each order takes what its policy lets it take
    from what the older ones left; an order that still can't be completed (ship_complete) takes nothing
    and does not block the younger ones."""
    left = {sku: dict(by_location) for sku, by_location in available.items()}
    planned = []
    for waiting in sorted(queue, key=lambda w: (w.since, w.order.order_id)):
        allocation = plan(waiting.order, left, locations, dropship)
        if not allocation.shipments:
            continue
        for (sku, location), units in allocation.reserved_at().items():
            left[sku][location] -= units
        planned.append((waiting.order, allocation))
    return planned


def next_step(order: StoredOrder) -> Next | None:
    """Where the order's execution goes now, or None while it should keep waiting."""
    if order.state == OrderState.FAILED:
        return Next.DONE
    if order.cancelled_at:
        # the cancellation is finished by the next round if its call stopped half way
        return Next.ALLOCATE if any(s.status in OPEN_STATUSES for s in order.shipments) else _settled(order)
    unsent = any(s.status == ShipmentStatus.SENT and not s.requested_at for s in order.shipments)
    if unsent or any(line.rerouting for line in order.lines):
        return Next.ALLOCATE
    return _settled(order)


def _settled(order: StoredOrder) -> Next | None:
    if any(line.backordered for line in order.lines) or any(s.status not in SETTLED_STATUSES for s in order.shipments):
        return None
    return Next.DONE


# Rejection reasons whose units can be sent from elsewhere; any other reason (incorrect_address) cancels
# them, and so does any drop-ship vendor's rejection: its vendor is the only source.
REROUTED_REASONS = frozenset({"out_of_stock", "other"})


def reroutes(shipment_kind: ShipmentKind, reason: str | None) -> bool:
    return shipment_kind != ShipmentKind.DROPSHIP and reason in REROUTED_REASONS


def lines_after_rejection(order: StoredOrder, shipment: StoredShipment, reason: str | None) -> list[StoredLine]:
    """The order's lines once a partner rejects `shipment`: its units wait to be sent elsewhere by the
    execution's next round, or are cancelled. Either way the counters still add up to the quantity."""
    units = {x.sku: x.quantity for x in shipment.lines}
    rerouted = reroutes(shipment.kind, reason)
    result = []
    for line in order.lines:
        n = units.get(line.sku, 0)
        if not n:
            result.append(line)
        elif rerouted:
            result.append(
                line.model_copy(update={"backordered": line.backordered + n, "rerouting": line.rerouting + n})
            )
        else:
            result.append(line.model_copy(update={"cancelled": line.cancelled + n}))
    return result


def lines_after_cancellation(order: StoredOrder) -> list[StoredLine]:
    """The lines once the customer cancels: every waiting unit cancelled, every unit of an order not yet
    allocated too (the units of open shipments are cancelled with their shipments)."""
    unallocated = is_first(order)
    return [
        line.model_copy(
            update={
                "backordered": 0,
                "rerouting": 0,
                "waiting_since": None,
                "cancelled": line.quantity if unallocated else line.cancelled + line.backordered,
            }
        )
        for line in order.lines
    ]
