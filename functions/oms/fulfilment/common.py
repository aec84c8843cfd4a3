"""What every step of the order's procedure needs: the order, read whole, or a clear error."""

from __future__ import annotations

from oms.errors import OrderNotFound, ShipmentNotFound
from oms.records import StoredOrder, StoredShipment
from oms.repository import orders as repo


def load(order_id: str) -> StoredOrder:
    order = repo.load(order_id)
    if order is None:
        raise OrderNotFound(f"No order {order_id}.")
    return order


def shipment_of(order: StoredOrder, shipment_id: str) -> StoredShipment:
    shipment = order.shipment(shipment_id)
    if shipment is None:
        raise ShipmentNotFound(f"No shipment {shipment_id} in {order.order_id}.")
    return shipment
