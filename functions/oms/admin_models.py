"""Pydantic models of the admin API: stock receipts and counts, a SKU's inventory and its stock ledger, a
partner as shown, the order list."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from oms.fields import EmailAddress, JsonInteger, Sku, Strict
from oms.models import Customer
from oms.statuses import MovementKind, OrderStatus, PartnerKind

PARTNER_ID_PATTERN = r"^[a-z0-9][a-z0-9\-]*$"
PartnerId = Annotated[str, Field(min_length=1, max_length=64, pattern=PARTNER_ID_PATTERN)]
# Bounds far above any shelf keep every count a number DynamoDB stores exactly.
Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000), JsonInteger]
Received = Annotated[int, Field(strict=True, ge=1, le=1_000_000), JsonInteger]


class StockReceipt(Strict):
    """Units that arrived at a location: its `on_hand` and `available` grow by `quantity`."""

    sku: Sku
    location: PartnerId
    quantity: Received


class StockAdjustment(Strict):
    """A stocktake: the units counted at a location become its `on_hand`."""

    sku: Sku
    location: PartnerId
    on_hand: Count


class LocationStock(BaseModel):
    location: str
    on_hand: int = Field(description="units at the location")
    reserved: int = Field(description="allocated to orders and not yet shipped")
    available: int = Field(description="on_hand - reserved")


class InventoryView(BaseModel):
    sku: str
    locations: list[LocationStock] = Field(description="none for a drop-shipped SKU")
    backordered: int = Field(description="units of the SKU that orders hold on backorder")


class StockMovement(BaseModel):
    """One change of a location's on_hand: the location's on_hand is the sum of its movements' deltas."""

    movement_id: str = Field(description="`<kind>#<cause>`: one cause never records a movement twice")
    kind: MovementKind = Field(
        description="opening: the seed's count; receipt; stocktake; shipment: a partner shipped the units; "
        "out_of_stock: a partner reported it had none, on_hand set to what other shipments hold"
    )
    delta: int = Field(description="units added to on_hand (negative: taken out)")
    on_hand: int | None = Field(
        default=None,
        description="on_hand after the movement, where it is set from a count (opening, stocktake, "
        "out_of_stock); null for receipts and shipments, which add to or take from what is there",
    )
    at: str
    order_id: str | None = None
    shipment_id: str | None = None
    event_id: str | None = Field(default=None, description="the partner's tracking event")
    request_id: str | None = Field(default=None, description="the API request that made it")
    idempotency_key: str | None = Field(default=None, description="the receipt's Idempotency-Key")
    after_cancellation: bool = Field(
        default=False, description="a shipment's units that left after OMS had cancelled the shipment"
    )


class MovementsPage(BaseModel):
    sku: str
    location: str
    movements: list[StockMovement] = Field(description="newest first")
    next_cursor: str | None = Field(default=None, description="the next page's cursor; null on the last page")


class PartnerView(BaseModel):
    """A partner as the admin API shows it: everything but its secret, which is write-only."""

    id: str
    kind: PartnerKind
    name: str
    email: EmailAddress
    webhook_url: str | None = None


class OrderSummary(BaseModel):
    """An order as the order list shows it; `GET /orders/{order_id}` has the rest."""

    order_id: str
    external_ref: str
    status: OrderStatus = Field(description="as GET /orders/{order_id} shows it")
    customer: Customer
    created_at: str
    updated_at: str = Field(
        description="the order's last change as of its latest move (allocation, a partner's update, failure); "
        "GET /orders/{order_id} also counts the emails sent since"
    )
    shipments: int = Field(description="shipments the order was split into, ended ones included")
    partner_ids: list[str] = Field(description="the partners its shipments went to, in shipment order")


class OrdersPage(BaseModel):
    orders: list[OrderSummary] = Field(description="newest first")
    next_cursor: str | None = Field(default=None, description="the next page's cursor; null on the last page")


class WebhookAttempt(BaseModel):
    """One try at delivering a webhook."""

    event_id: str = Field(description="the delivery's event_id, the same for every attempt (receivers dedupe on it)")
    type: str = Field(description="the event's type: a domain event, or a partner's request or cancellation")
    order_id: str | None = None
    url: str
    at: str = Field(description="when the attempt was made")
    attempt: int = Field(description="1 for the first attempt of a delivery (a redrive starts again at 1)")
    status: Literal["delivered", "retrying", "dead_lettered"] = Field(
        description="delivered: the receiver answered 2xx in time; retrying: tried again at next_attempt_at; "
        "dead_lettered: the last attempt failed and the delivery waits in the dead-letter queue"
    )
    status_code: int | None = Field(default=None, description="the receiver's HTTP status; null when none came")
    error: str | None = Field(default=None, description="why the attempt failed")
    next_attempt_at: str | None = Field(default=None, description="when the next attempt is due, while retrying")


class WebhookAttemptsPage(BaseModel):
    attempts: list[WebhookAttempt] = Field(description="newest first")
    next_cursor: str | None = Field(default=None, description="the next page's cursor; null on the last page")


class RedriveRequest(Strict):
    """A redrive takes no options: its body is the empty object."""


class Redriven(BaseModel):
    redriven: int = Field(description="dead-lettered deliveries moved back to the webhook queue")
