"""The customer's emails about the order's outcome and each shipment's progress, each sent once."""

from __future__ import annotations

from collections.abc import Callable

from oms.fulfilment.common import load, shipment_of
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.records import StoredShipment
from oms.statuses import SHIPPED_STATUSES, ShipmentStatus

# What a shipment's state owes the customer: each row's email is due while its condition holds.
SHIPMENT_EMAILS: tuple[tuple[EmailKind, Callable[[StoredShipment], bool]], ...] = (
    (EmailKind.SHIPMENT_EXCEPTION, lambda s: s.exception is not None),
    (EmailKind.SHIPMENT_SHIPPED, lambda s: s.status in SHIPPED_STATUSES and bool(s.tracking_number)),
    (EmailKind.SHIPMENT_DELIVERED, lambda s: s.status == ShipmentStatus.DELIVERED),
)


def emails_due(shipment: StoredShipment) -> list[EmailKind]:
    return [kind for kind, due in SHIPMENT_EMAILS if due(shipment)]


def notify_outcome(order_id: str, kind: str) -> list[str]:
    return [kind] if send(load(order_id), EmailKind(kind)) else []


def notify_shipment(order_id: str, shipment_id: str) -> list[str]:
    """Every email the shipment's state owes the customer, each once; the kinds sent now."""
    order = load(order_id)
    shipment = shipment_of(order, shipment_id)
    return [kind.value for kind in emails_due(shipment) if send(order, kind, shipment_id)]
