"""What OMS keeps, as typed records: orders with their lines, shipments, timeline and email marks;
partners and products. `oms.repository` reads and writes them; nothing here knows a table key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oms.models import Address, Customer, ShipmentException, ShipmentLine
from oms.statuses import (
    BackorderPolicy,
    Fulfilment,
    OrderState,
    OrderStatus,
    PartnerKind,
    ShipmentKind,
    ShipmentStatus,
)


class Record(BaseModel):
    # Stored items carry their table keys and type tag; the repository strips them, and an attribute
    # written by a newer version of OMS must not make an older one fail to read the order.
    model_config = ConfigDict(extra="ignore")


class StoredLine(Record):
    sku: str
    quantity: int
    # Units waiting for an allocation round: for stock (queued since `waiting_since`), or to be sent
    # elsewhere after a partner's rejection (`rerouting` of them, which the execution's next round takes).
    backordered: int = 0
    cancelled: int = 0
    rerouting: int = 0
    waiting_since: str | None = None


@dataclass(frozen=True)
class QueueChange:
    """An order's place in one SKU's backorder queue: kept with `quantity` units, or left (quantity 0)."""

    sku: str
    since: str
    quantity: int


class StoredShipment(Record):
    shipment_id: str
    order_id: str
    number: int
    partner_id: str
    kind: ShipmentKind
    status: ShipmentStatus
    lines: list[ShipmentLine]
    sent_at: str
    requested_at: str | None = None
    exception: ShipmentException | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    rejection_reason: str | None = None
    accepted_at: str | None = None
    shipped_at: str | None = None
    in_transit_at: str | None = None
    delivered_at: str | None = None
    rejected_at: str | None = None
    cancelled_at: str | None = None
    # Stock moves of the last move still to apply, when there were more than one transaction holds, and
    # the cause that names their ledger entries.
    stock_pending: list[list[Any]] | None = None
    stock_cause: dict[str, Any] | None = None

    @property
    def holds_stock(self) -> bool:
        """Whether its units are counted in OMS's inventory (a vendor's drop-ship stock is not)."""
        return self.kind != ShipmentKind.DROPSHIP


class TimelineEvent(Record):
    at: str
    event_type: str
    detail: dict[str, Any] = Field(default_factory=dict)


class StoredFeedback(Record):
    rating: int
    comment: str | None = None
    at: str


class OrderHeader(Record):
    """The order's own record."""

    order_id: str
    external_ref: str
    body_hash: str
    state: OrderState = OrderState.PLACED
    allocation_round: int = 0
    shipment_count: int = 0
    # Partners that rejected this order's units: no later round sends them any.
    excluded_partners: list[str] = Field(default_factory=list)
    # The task token the order's execution waits on between allocation rounds.
    wake_token: str | None = None
    # When the customer cancelled: nothing is allocated or released for the order after it.
    cancelled_at: str | None = None
    # Why operators should look at the order ({"reason", "shipment_id", "at"}), e.g. a partner that is silent.
    attention: dict[str, str] | None = None
    backorder_policy: BackorderPolicy
    customer: Customer
    shipping_address: Address
    lines: list[StoredLine]
    created_at: str
    updated_at: str


class StoredOrder(OrderHeader):
    """An order with everything it owns."""

    shipments: list[StoredShipment] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    # (email kind, shipment id or None) of every email marked as sent
    emails: set[tuple[str, str | None]] = Field(default_factory=set)
    feedback: StoredFeedback | None = None

    def shipment(self, shipment_id: str) -> StoredShipment | None:
        return next((s for s in self.shipments if s.shipment_id == shipment_id), None)

    def email_sent(self, kind: str, shipment_id: str | None = None) -> bool:
        return (str(kind), shipment_id) in self.emails


class ListedOrder(Record):
    """An order as the order list shows it: its status as the API derives it, and where it went."""

    order_id: str
    external_ref: str
    customer: Customer
    created_at: str
    status: OrderStatus
    updated_at: str
    shipments: int = 0
    partner_ids: list[str] = Field(default_factory=list)

    @classmethod
    def placed(cls, header: OrderHeader) -> ListedOrder:
        """A new order: PLACED, nothing allocated or sent yet."""
        return cls(
            order_id=header.order_id,
            external_ref=header.external_ref,
            customer=header.customer,
            created_at=header.created_at,
            status=OrderStatus.PLACED,
            updated_at=header.updated_at,
        )


class Partner(Record):
    id: str
    kind: PartnerKind
    name: str
    email: str
    webhook_url: str | None = None
    rank: int = 0  # the seed's order: third parties are preferred in it


class Product(Record):
    sku: str
    name: str
    fulfillment: Fulfilment = Fulfilment.STOCKED
    vendor_id: str | None = None
