"""The customer's emails about the order's outcome and each shipment's progress, each sent once."""

from __future__ import annotations

from collections.abc import Callable

from oms.fulfilment.common import load, shipment_of
from oms.fulfilment.rounds import reroutes
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.records import StoredOrder, StoredShipment
from oms.statuses import SHIPPED_STATUSES, OrderStatus, ShipmentStatus
from oms.views import status_of


def _cancels_units(s: StoredShipment) -> bool:
    return s.status == ShipmentStatus.REJECTED and not reroutes(s.kind, s.rejection_reason)


def _exception_began(s: StoredShipment) -> str | None:
    return s.exception.at if s.exception else None


def _once(_: StoredShipment) -> str | None:
    return None


# What a shipment's state owes the customer: each row's email is due while its condition holds, once per
# shipment, or once per occurrence where the row says what makes one (an exception, by when it began).
SHIPMENT_EMAILS: tuple[
    tuple[EmailKind, Callable[[StoredShipment], bool], Callable[[StoredShipment], str | None]], ...
] = (
    (EmailKind.SHIPMENT_EXCEPTION, lambda s: s.exception is not None, _exception_began),
    (EmailKind.SHIPMENT_SHIPPED, lambda s: s.status in SHIPPED_STATUSES and bool(s.tracking_number), _once),
    (EmailKind.SHIPMENT_DELIVERED, lambda s: s.status == ShipmentStatus.DELIVERED, _once),
    (EmailKind.UNITS_CANCELLED, _cancels_units, _once),
)


def emails_due(shipment: StoredShipment) -> list[tuple[EmailKind, str | None]]:
    return [(kind, occurrence(shipment)) for kind, due, occurrence in SHIPMENT_EMAILS if due(shipment)]


def notify_outcome(order_id: str, kind: str) -> list[str]:
    return [kind] if send(load(order_id), EmailKind(kind)) else []


def notify_shipment(order: StoredOrder, shipment_id: str) -> list[str]:
    """Every email the shipment's state owes the customer, each once; the kinds sent now. When the
    shipment's end leaves every unit of the order cancelled, that is the one email the customer gets."""
    shipment = shipment_of(order, shipment_id)
    if _cancels_units(shipment) and status_of(order) == OrderStatus.CANCELLED:
        return [EmailKind.ORDER_CANCELLED.value] if send(order, EmailKind.ORDER_CANCELLED) else []
    return [kind.value for kind, once in emails_due(shipment) if send(order, kind, shipment_id, occurrence=once)]
