"""What operators and the seed do to a location's counts, each with its ledger entry in the same transaction:
stocktakes and opening counts, read and written back on condition that nothing moved them meanwhile, and
receipts, added to what is there. `Counts` is also how an out-of-stock correction is written
(`oms.repository.inventory`)."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any, NamedTuple

from oms import clock
from oms.errors import TransientError
from oms.repository import keys, ledger
from oms.repository.dynamo import Cancelled, db, from_item, to_item, transact
from oms.repository.ledger import Cause, Movement
from oms.settings import settings
from oms.statuses import MovementKind


class Counts(NamedTuple):
    """A location's stock as read: `available` is always `on_hand - reserved`."""

    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def counted(self, on_hand: int) -> Counts:
        """After a stocktake that counted `on_hand`: what is reserved stays reserved."""
        return Counts(on_hand, self.reserved)

    def not_there(self, quantity: int) -> Counts:
        """After a location reports it has no more units than other shipments hold: one shipment's
        `quantity` withdrawn, and `on_hand` what stays reserved, so nothing is available."""
        if quantity > self.reserved:
            raise ValueError(f"{quantity} units are withdrawn where only {self.reserved} are reserved")
        return Counts(self.reserved - quantity, self.reserved - quantity)


def counts(sku: str, location: str) -> Counts | None:
    """A location's counts, read consistently; None where the SKU was never stocked."""
    found = db().get_item(
        TableName=settings().inventory_table, Key=to_item(keys.stock(sku, location)), ConsistentRead=True
    )
    if "Item" not in found:
        return None
    item = from_item(found["Item"])
    return Counts(int(item.get("on_hand", 0)), int(item.get("reserved", 0)))


def set_counts(sku: str, location: str, new: Counts, seen: Counts | None) -> dict[str, Any]:
    """The transaction item that writes `new` counts, refused unless the location still holds `seen` (or,
    for None, nothing yet)."""
    condition = "attribute_not_exists(PK)" if seen is None else "on_hand = :seen_on_hand AND reserved = :seen_reserved"
    values = {":on_hand": new.on_hand, ":reserved": new.reserved, ":available": new.available, ":sku": sku,
              ":loc": location}  # fmt: skip
    if seen is not None:
        values.update({":seen_on_hand": seen.on_hand, ":seen_reserved": seen.reserved})
    return {
        "Update": {
            "TableName": settings().inventory_table,
            "Key": to_item(keys.stock(sku, location)),
            "UpdateExpression": "SET on_hand = :on_hand, reserved = :reserved, available = :available, "
            "sku = :sku, #loc = :loc",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#loc": "location"},
            "ExpressionAttributeValues": to_item(values),
        }
    }


class CountOutcome(StrEnum):
    COUNTED = "counted"
    REPEATED = "repeated"  # its cause recorded this count before: nothing written
    BELOW_RESERVED = "below_reserved"  # fewer units counted than orders hold there: nothing written


# A count re-reads the location this many times while other writers keep moving its stock.
COUNT_ATTEMPTS = 5


def count(
    sku: str, location: str, on_hand: int, cause: Cause, kind: MovementKind = MovementKind.STOCKTAKE
) -> CountOutcome:
    """A stocktake (or the seed's opening count): `on_hand` becomes the count, what is reserved stays
    reserved, and the difference from what was there is recorded. The count is read, then written on
    condition that nothing moved it meanwhile; if something did, it is read again."""
    for _ in range(COUNT_ATTEMPTS):
        cause = replace(cause, at=clock.iso())  # a count read again is written, and ordered, later
        seen = counts(sku, location)
        before = seen or Counts(0, 0)
        if before.reserved > on_hand:
            return CountOutcome.BELOW_RESERVED
        movement = Movement(sku, location, kind, cause, delta=on_hand - before.on_hand, on_hand=on_hand)
        try:
            transact([set_counts(sku, location, before.counted(on_hand), seen), ledger.entry(movement)])
        except Cancelled as refused:
            if refused.failed(1):
                return CountOutcome.REPEATED
            if refused.failed(0):
                continue  # the stock moved since it was read
            raise
        return CountOutcome.COUNTED
    raise TransientError(f"the stock of {sku} at {location} kept moving while it was counted")


def receive(sku: str, location: str, quantity: int, cause: Cause) -> bool:
    """Units received: `on_hand` and `available` grow by `quantity`, `reserved` unchanged, and the receipt is
    recorded, in one transaction. False, and nothing written, when its cause already received them."""
    update = {
        "Update": {
            "TableName": settings().inventory_table,
            "Key": to_item(keys.stock(sku, location)),
            "UpdateExpression": "SET on_hand = if_not_exists(on_hand, :zero) + :q, "
            "available = if_not_exists(available, :zero) + :q, reserved = if_not_exists(reserved, :zero), "
            "sku = :sku, #loc = :loc",
            "ExpressionAttributeNames": {"#loc": "location"},
            "ExpressionAttributeValues": to_item({":q": quantity, ":zero": 0, ":sku": sku, ":loc": location}),
        }
    }
    movement = Movement(sku, location, MovementKind.RECEIPT, cause, delta=quantity)
    try:
        transact([update, ledger.entry(movement)])
    except Cancelled as refused:
        if refused.failed(1):
            return False
        raise
    return True
