"""Pydantic models of the contract: what storefronts, partners and customers send and get back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import JsonDict, JsonValue

from oms.fields import (
    LINES_PATTERN,
    Country,
    EmailAddress,
    OneLine,
    OneLineSchema,
    OptionalText,
    Quantity,
    Rating,
    Sku,
    Strict,
    Text,
    lines_of_text,
)
from oms.settings import MerchantSettings
from oms.statuses import BackorderPolicy, Fulfilment, OrderStatus, PartnerKind, ShipmentKind, ShipmentStatus


class Customer(Strict):
    email: EmailAddress
    name: Text


class Address(Strict):
    name: Text
    line1: Text
    line2: OptionalText = None
    city: Text
    region: OptionalText = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20), OneLine, OneLineSchema]
    country: Country


class OrderLineIn(Strict):
    sku: Sku
    quantity: Quantity


class PlaceOrder(Strict):
    """The body of `POST /orders`."""

    external_ref: Annotated[str, Field(min_length=1, max_length=100), OneLine, OneLineSchema]
    customer: Customer
    shipping_address: Address
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=100)]
    backorder_policy: BackorderPolicy = BackorderPolicy.ship_available

    @field_validator("lines")
    @classmethod
    def _each_sku_once(cls, lines: list[OrderLineIn]) -> list[OrderLineIn]:
        seen: set[str] = set()
        for line in lines:
            if line.sku in seen:
                raise ValueError(f"SKU {line.sku} appears more than once; send one line per SKU")
            seen.add(line.sku)
        return lines


class OrderAccepted(BaseModel):
    order_id: str
    status: OrderStatus


class LineView(BaseModel):
    sku: str
    quantity: int
    allocated: int = 0
    backordered: int = 0
    cancelled: int = 0
    shipped: int = 0
    delivered: int = 0


class ShipmentLine(BaseModel):
    sku: str
    quantity: int


class ShipmentException(BaseModel):
    reason: str
    at: str


class ShipmentView(BaseModel):
    shipment_id: str
    partner_id: str
    kind: ShipmentKind
    status: ShipmentStatus
    exception: ShipmentException | None = None
    lines: list[ShipmentLine]
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None


class PartnerShipmentView(ShipmentView):
    order_id: str
    shipping_address: Address


class TimelineType(StrEnum):
    ORDER_PLACED = "OrderPlaced"
    ORDER_ALLOCATED = "OrderAllocated"
    UNITS_BACKORDERED = "UnitsBackordered"
    UNITS_CANCELLED = "UnitsCancelled"
    SHIPMENT_SENT = "ShipmentSent"
    SHIPMENT_ACCEPTED = "ShipmentAccepted"
    SHIPMENT_REJECTED = "ShipmentRejected"
    SHIPMENT_SHIPPED = "ShipmentShipped"
    SHIPMENT_IN_TRANSIT = "ShipmentInTransit"
    SHIPMENT_DELIVERED = "ShipmentDelivered"
    SHIPMENT_EXCEPTION = "ShipmentException"
    BACKORDER_RELEASED = "BackorderReleased"
    EMAIL_SENT = "EmailSent"
    EMAIL_UNDELIVERABLE = "EmailUndeliverable"
    FEEDBACK_REQUESTED = "FeedbackRequested"
    FEEDBACK_RECEIVED = "FeedbackReceived"
    ORDER_CANCELLED = "OrderCancelled"
    ORDER_FAILED = "OrderFailed"


class TimelineEntry(BaseModel):
    at: str
    type: TimelineType
    detail: dict[str, Any] = Field(default_factory=dict)


class OrderView(BaseModel):
    """The body of `GET /orders/{order_id}`."""

    order_id: str
    external_ref: str
    status: OrderStatus
    backorder_policy: BackorderPolicy
    customer: Customer
    shipping_address: Address
    created_at: str
    updated_at: str
    lines: list[LineView]
    shipments: list[ShipmentView]
    timeline: list[TimelineEntry]


class TrackingStatus(StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    SHIPPED = "SHIPPED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"


class RejectionReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    INCORRECT_ADDRESS = "incorrect_address"
    OTHER = "other"


REJECTION_REASONS = tuple(RejectionReason)


_NON_EMPTY: JsonDict = {"type": "string", "minLength": 1}


def _when(status: str, then: JsonDict) -> JsonDict:
    return {"if": {"properties": {"status": {"const": status}}}, "then": then}


# What each status needs besides the fields every update has, as the validator below checks it.
_BY_STATUS: list[JsonValue] = [
    _when("SHIPPED", {"required": ["carrier", "tracking_number"],
                      "properties": {"carrier": _NON_EMPTY, "tracking_number": _NON_EMPTY}}),
    _when("REJECTED", {"required": ["reason"], "properties": {"reason": {"enum": [r.value for r in RejectionReason]}}}),
    _when("EXCEPTION", {"required": ["reason"], "properties": {"reason": _NON_EMPTY}}),
]  # fmt: skip


class TrackingEvent(Strict):
    """The body of `POST /partners/{partner_id}/tracking`."""

    model_config = ConfigDict(json_schema_extra={"allOf": _BY_STATUS})

    event_id: Annotated[str, Field(min_length=1, max_length=128), OneLine, OneLineSchema]
    shipment_id: Annotated[str, Field(min_length=1, max_length=128), OneLine, OneLineSchema]
    status: TrackingStatus
    carrier: OptionalText = None
    tracking_number: Annotated[str | None, Field(default=None, max_length=64), OneLine, OneLineSchema] = None
    tracking_url: Annotated[str | None, Field(default=None, max_length=2048), OneLine, OneLineSchema] = None
    occurred_at: datetime
    reason: Annotated[
        RejectionReason | Annotated[str, Field(max_length=500), OneLine, OneLineSchema] | None,
        Field(default=None, description="REJECTED: a RejectionReason; EXCEPTION: what delays the shipment, free text"),
    ] = None

    @model_validator(mode="after")
    def _required_by_status(self) -> TrackingEvent:
        if self.status == TrackingStatus.SHIPPED and not (self.carrier and self.tracking_number):
            raise ValueError("SHIPPED needs carrier and tracking_number")
        if self.status == TrackingStatus.REJECTED and self.reason not in REJECTION_REASONS:
            raise ValueError("REJECTED needs reason: out_of_stock, incorrect_address or other")
        if self.status == TrackingStatus.EXCEPTION and not self.reason:
            raise ValueError("EXCEPTION needs a reason")
        return self


class TrackingApplied(BaseModel):
    applied: bool


class PartnerShipmentsPage(BaseModel):
    shipments: list[PartnerShipmentView]
    next_cursor: str | None = None


class FeedbackIn(Strict):
    rating: Rating
    comment: Annotated[
        str | None,
        Field(default=None, max_length=2000, json_schema_extra={"pattern": LINES_PATTERN}),
        AfterValidator(lines_of_text),
    ] = None


class FeedbackStored(BaseModel):
    order_id: str
    rating: int


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorEnvelope(BaseModel):
    """Every error the API answers, its own or API Gateway's."""

    error: ErrorInfo


# The seed: partners, products, stock and settings (contract section 6).


class PartnerIn(Strict):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    kind: PartnerKind
    name: Text
    email: EmailAddress
    secret: Annotated[str, Field(min_length=16, max_length=256)]
    webhook_url: Annotated[str | None, Field(default=None, max_length=2048)] = None


class ProductIn(Strict):
    sku: Sku
    name: Text
    fulfillment: Fulfilment = Fulfilment.STOCKED
    vendor_id: str | None = None

    @model_validator(mode="after")
    def _vendor_for_dropship(self) -> ProductIn:
        if self.fulfillment == Fulfilment.DROPSHIP and not self.vendor_id:
            raise ValueError("a DROPSHIP product needs vendor_id")
        return self


class StockIn(Strict):
    sku: Sku
    location: str
    on_hand: Annotated[int, Field(ge=0)]


class ApiKeys(BaseModel):
    storefront: str = "local-storefront-key"
    admin: str = "local-admin-key"


class Seed(BaseModel):
    api_keys: ApiKeys = Field(default_factory=ApiKeys)
    partners: list[PartnerIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
    inventory: list[StockIn] = Field(default_factory=list)
    settings: MerchantSettings = Field(default_factory=MerchantSettings)  # one model, in oms.settings
