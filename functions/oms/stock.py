"""Stock as the admin API moves it: receipts (once per Idempotency-Key) that release backorders, stocktakes,
a SKU's inventory."""

from __future__ import annotations

from typing import Any

from oms.admin_models import InventoryView, LocationStock, StockAdjustment, StockReceipt
from oms.errors import BelowReserved, SkuNotFound
from oms.fulfilment.allocate import release
from oms.http import InvalidRequest
from oms.idempotency import OncePerKey
from oms.records import Product
from oms.repository import catalog, inventory
from oms.repository.dynamo import retried
from oms.statuses import LOCATION_KINDS, Fulfilment


def view(sku: str) -> InventoryView:
    """Each location's counts (none for a drop-shipped SKU) and the units orders hold on backorder."""
    product = _product(sku)
    counts = inventory.stock([sku])[sku] if product.fulfillment == Fulfilment.STOCKED else {}
    return InventoryView(
        sku=sku,
        locations=[LocationStock(location=location, **counts[location]) for location in sorted(counts)],
        backordered=inventory.backordered(sku),
    )


def adjust(adjustment: StockAdjustment) -> InventoryView:
    """A stocktake; 409 below_reserved when fewer units are counted than orders hold there."""
    _stocked_at(adjustment.sku, adjustment.location)
    if not retried(lambda: inventory.set_on_hand(adjustment.sku, adjustment.location, adjustment.on_hand)):
        reserved = inventory.stock([adjustment.sku])[adjustment.sku][adjustment.location]["reserved"]
        raise BelowReserved(
            f"{reserved} units of {adjustment.sku} are reserved at {adjustment.location}; "
            f"a count of {adjustment.on_hand} cannot be right while they are there.",
            [{"field": "on_hand", "message": f"must be at least {reserved}, what is reserved there"}],
        )
    release(adjustment.sku)  # a count higher than thought serves waiting orders as a receipt does
    return view(adjustment.sku)


def receive(receipt: StockReceipt, idempotency_key: str | None = None, lambda_context: Any = None) -> InventoryView:
    """Add received units; with an Idempotency-Key, the same receipt sent again adds them once."""
    if not idempotency_key:
        return _receive(receipt)
    return InventoryView.model_validate(_RECEIVE_ONCE(idempotency_key, receipt.model_dump(mode="json"), lambda_context))


def _receive(receipt: StockReceipt) -> InventoryView:
    """Add the units, then release the oldest backorders they can serve, within the call."""
    _stocked_at(receipt.sku, receipt.location)
    retried(lambda: inventory.receive(receipt.sku, receipt.location, receipt.quantity))
    release(receipt.sku)
    return view(receipt.sku)


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
    "receive_stock",
    "receipt",
    lambda receipt: _receive(StockReceipt.model_validate(receipt)).model_dump(mode="json"),
    "The same receipt is still being recorded; retry shortly.",
)
