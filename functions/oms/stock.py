"""Stock as the admin API moves it: receipts (once per Idempotency-Key or request) that release backorders,
stocktakes, a SKU's inventory and a location's stock ledger."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.admin_models import InventoryView, LocationStock, MovementsPage, StockAdjustment, StockMovement, StockReceipt
from oms.errors import BelowReserved, IdempotencyConflict, SkuNotFound
from oms.fulfilment.allocate import release
from oms.http import InvalidRequest
from oms.idempotency import OncePerKey
from oms.records import Product
from oms.repository import catalog, counts, cursors, inventory, ledger
from oms.repository.counts import CountOutcome
from oms.repository.dynamo import retried
from oms.statuses import LOCATION_KINDS, Fulfilment, MovementKind

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def view(sku: str) -> InventoryView:
    """Each location's counts (none for a drop-shipped SKU) and the units orders hold on backorder."""
    product = _product(sku)
    found = inventory.stock([sku])[sku] if product.fulfillment == Fulfilment.STOCKED else {}
    return InventoryView(
        sku=sku,
        locations=[LocationStock(location=location, **found[location]) for location in sorted(found)],
        backordered=inventory.backordered(sku),
    )


def adjust(adjustment: StockAdjustment, request_id: str) -> InventoryView:
    """A stocktake, recorded once per request; 409 below_reserved when fewer units are counted than orders
    hold there."""
    sku, location = adjustment.sku, adjustment.location
    _stocked_at(sku, location)
    cause = ledger.Cause(f"request#{request_id}", clock.iso(), {"request_id": request_id})
    if retried(lambda: counts.count(sku, location, adjustment.on_hand, cause)) == CountOutcome.BELOW_RESERVED:
        there = counts.counts(sku, location)
        reserved = there.reserved if there else 0
        raise BelowReserved(
            f"{reserved} units of {sku} are reserved at {location}; "
            f"a count of {adjustment.on_hand} cannot be right while they are there.",
            [{"field": "on_hand", "message": f"must be at least {reserved}, what is reserved there"}],
        )
    release(sku)  # a count higher than thought serves waiting orders as a receipt does
    return view(sku)


def receive(
    receipt: StockReceipt, request_id: str, idempotency_key: str | None = None, lambda_context: Any = None
) -> InventoryView:
    """Add received units once: per Idempotency-Key when one is sent, else per request (the same request
    delivered twice adds them once)."""
    if not idempotency_key:
        return _receive(receipt, ledger.Cause(f"request#{request_id}", clock.iso(), {"request_id": request_id}))
    return InventoryView.model_validate(_RECEIVE_ONCE(idempotency_key, receipt.model_dump(mode="json"), lambda_context))


def _receive(receipt: StockReceipt, cause: ledger.Cause) -> InventoryView:
    """Add the units, then release the oldest backorders they can serve, within the call."""
    _stocked_at(receipt.sku, receipt.location)
    if not retried(lambda: counts.receive(receipt.sku, receipt.location, receipt.quantity, cause)):
        _same_receipt(receipt, cause)
    release(receipt.sku)
    return view(receipt.sku)


def _same_receipt(receipt: StockReceipt, cause: ledger.Cause) -> None:
    """A receipt its cause recorded before is the same receipt again; 409 if its key came with another
    quantity (the key is kept in the ledger after the idempotency record of 24 hours has gone)."""
    recorded = ledger.recorded(receipt.sku, receipt.location, MovementKind.RECEIPT, cause)
    if recorded is not None and recorded["delta"] != receipt.quantity:
        raise IdempotencyConflict(
            "This Idempotency-Key was used with another body.",
            [{"field": "Idempotency-Key", "message": "used before with another body"}],
        )


def _receive_keyed(receipt: dict[str, Any], key: str) -> dict[str, Any]:
    cause = ledger.Cause(f"key#{key}", clock.iso(), {"idempotency_key": key})
    return _receive(StockReceipt.model_validate(receipt), cause).model_dump(mode="json")


def movements(sku: str, location: str, cursor: str | None, limit: int = PAGE_SIZE) -> MovementsPage:
    """A location's stock ledger for `sku`, newest first: every change of its on_hand and its cause."""
    _stocked_at(sku, location)
    try:
        found, next_cursor = ledger.page(sku, location, limit, cursor)
    except cursors.BadCursor as error:
        raise InvalidRequest.bad_cursor("with the same location") from error
    return MovementsPage(
        sku=sku,
        location=location,
        movements=[StockMovement.model_validate(item) for item in found],
        next_cursor=next_cursor,
    )


def _product(sku: str) -> Product:
    product = catalog.product(sku)
    if product is None:
        raise SkuNotFound(f"{sku} is not in the catalogue.", [{"field": "sku", "message": f"unknown SKU {sku}"}])
    return product


def _stocked_at(sku: str, location: str) -> None:
    """A stock count belongs to a stocked SKU at a warehouse or third party; 404 or 400 otherwise."""
    if _product(sku).fulfillment != Fulfilment.STOCKED:
        raise InvalidRequest(
            f"{sku} is drop-shipped: its vendor holds the stock, not OMS.",
            [{"field": "sku", "message": "is a DROPSHIP product"}],
        )
    partner = catalog.partner(location)
    if partner is None or partner.kind not in LOCATION_KINDS:
        raise InvalidRequest(
            f"{location} is not a warehouse or third party.",
            [{"field": "location", "message": "must name a WAREHOUSE or THIRD_PARTY partner"}],
        )


_RECEIVE_ONCE = OncePerKey(
    "receive_stock", "receipt", _receive_keyed, "The same receipt is still being recorded; retry shortly."
)
