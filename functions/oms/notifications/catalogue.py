"""The email catalogue: for each kind, the subject and the plain-text and HTML bodies OMS sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from oms.branding import Brand
from oms.notifications.layout import Address, Block, Facts, Items, Link, Para, html, text


class EmailKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    ORDER_BACKORDERED = "order_backordered"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_FAILED = "order_failed"
    SHIPMENT_SHIPPED = "shipment_shipped"
    SHIPMENT_DELIVERED = "shipment_delivered"
    SHIPMENT_EXCEPTION = "shipment_exception"
    UNITS_CANCELLED = "units_cancelled"  # a partner refused a shipment and its units can't be sent
    FEEDBACK_REQUEST = "feedback_request"
    FULFILLMENT_REQUEST = "fulfillment_request"
    PURCHASE_ORDER = "purchase_order"
    CANCELLATION_REQUEST = "cancellation_request"


PARTNER_KINDS = frozenset({EmailKind.FULFILLMENT_REQUEST, EmailKind.PURCHASE_ORDER, EmailKind.CANCELLATION_REQUEST})
CUSTOMER_KINDS = frozenset(EmailKind) - PARTNER_KINDS


@dataclass(frozen=True)
class EmailLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class EmailShipment:
    shipment_id: str
    partner_name: str
    kind: str
    lines: tuple[EmailLine, ...]
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    exception_reason: str | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True)
class EmailAddress:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


@dataclass(frozen=True)
class EmailContext:
    """What an email may mention; each kind reads what it needs.

    `lines` is what the customer ordered; `shipping_now` what this allocation sends (customer
    order emails list it instead of `lines` when given); `backordered` and `cancelled` the units
    waiting or cancelled. `shipment` is required by shipment and partner kinds, `feedback_url` by
    feedback_request. `partner_name` overrides the shipment's for the partner greeting.
    """

    order_id: str
    external_ref: str
    customer_name: str
    shipping_address: EmailAddress
    lines: tuple[EmailLine, ...]
    shipment: EmailShipment | None = None
    backordered: tuple[EmailLine, ...] = ()
    cancelled: tuple[EmailLine, ...] = ()
    shipping_now: tuple[EmailLine, ...] = ()
    feedback_url: str | None = None
    partner_name: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


_SUBJECTS: dict[EmailKind, str] = {
    EmailKind.ORDER_CONFIRMED: "Your order {ref} is confirmed",
    EmailKind.ORDER_BACKORDERED: "Your order {ref}: some items are on backorder",
    EmailKind.ORDER_CANCELLED: "Your order {ref} has been cancelled",
    EmailKind.ORDER_FAILED: "We couldn't complete your order {ref}",
    EmailKind.SHIPMENT_SHIPPED: "Your order {ref} is on its way",
    EmailKind.SHIPMENT_DELIVERED: "Your order {ref} has been delivered",
    EmailKind.SHIPMENT_EXCEPTION: "A delay with your order {ref}",
    EmailKind.UNITS_CANCELLED: "Part of your order {ref} can't be sent",
    EmailKind.FEEDBACK_REQUEST: "How was your order {ref}?",
    EmailKind.FULFILLMENT_REQUEST: "Fulfilment request {shipment_id} (order {order_id})",
    EmailKind.PURCHASE_ORDER: "Purchase order {shipment_id}: please ship to our customer",
    EmailKind.CANCELLATION_REQUEST: "Please cancel shipment {shipment_id} (order {order_id})",
}

_CUSTOMER_SIGN_OFF = "Questions? Just reply to this email and we'll help."


def _items(heading: str, lines: tuple[EmailLine, ...], with_sku: bool = False) -> Items:
    return Items(heading, tuple((line.sku, line.name, line.quantity) for line in lines), with_sku)


def _address(heading: str, a: EmailAddress) -> Address:
    city = ", ".join(part for part in (a.city, a.region) if part)
    parts = (a.name, a.line1, a.line2, city, a.postal_code, a.country)
    return Address(heading, tuple(part for part in parts if part))


def _shipment(c: EmailContext) -> EmailShipment:
    if c.shipment is None:
        raise ValueError("this email is about a shipment: EmailContext.shipment is required")
    return c.shipment


def _cancelled_section(c: EmailContext) -> list[Block]:
    if not c.cancelled:
        return []
    return [_items("Sorry, these items were unavailable and have been cancelled", c.cancelled)]


def _order_confirmed(c: EmailContext) -> list[Block]:
    return [
        Para(f"Thank you for your order {c.external_ref}. It's confirmed; we'll email you when it ships."),
        _items("Your order", c.shipping_now or c.lines),
        *_cancelled_section(c),
        _address("Delivering to", c.shipping_address),
    ]


def _order_backordered(c: EmailContext) -> list[Block]:
    now: list[Block] = (
        [_items("Shipping now", c.shipping_now)]
        if c.shipping_now
        else [Para("Nothing can ship just yet: we'll send your order as soon as these items are in stock.")]
    )
    return [
        Para(f"Thank you for your order {c.external_ref}. Some items are waiting for new stock."),
        *now,
        _items("Waiting for stock", c.backordered),
        *_cancelled_section(c),
        Para("We'll email you as soon as the waiting items ship."),
    ]


def _order_cancelled(c: EmailContext) -> list[Block]:
    return [
        Para(f"Your order {c.external_ref} has been cancelled."),
        _items("Cancelled", c.cancelled or c.lines),
        Para("If you didn't expect this, reply to this email and we'll sort it out."),
    ]


def _order_failed(c: EmailContext) -> list[Block]:
    return [
        Para(f"We're sorry: something went wrong on our side and we couldn't complete your order {c.external_ref}."),
        Para("Our team has been alerted and will be in touch."),
    ]


def _shipment_shipped(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    return [
        Para(f"Good news: these items from your order {c.external_ref} have shipped."),
        _items("In this parcel", s.lines),
        Facts((("Carrier", s.carrier), ("Tracking number", s.tracking_number))),
        Link("Track your parcel", s.tracking_url),
    ]


def _shipment_delivered(c: EmailContext) -> list[Block]:
    return [
        Para(f"Your parcel from order {c.external_ref} has been delivered. We hope you enjoy it!"),
        _items("Delivered", _shipment(c).lines),
    ]


def _shipment_exception(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    return [
        Para(f"There's a delay with part of your order {c.external_ref}, and we wanted you to know."),
        Facts((("Reason", s.exception_reason),)),
        _items("Affected items", s.lines),
        Link("Track your parcel", s.tracking_url),
        Para("We're looking into it and will email you as soon as it moves again."),
    ]


_WHY_CANCELLED = {
    "incorrect_address": "The delivery address couldn't be used for these items. Reply with a corrected "
    "address and we'll help you order them again.",
}


def _units_cancelled(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    why = _WHY_CANCELLED.get(
        s.rejection_reason or "", "The supplier can't provide these items, so we've cancelled them."
    )
    return [
        Para(f"We're sorry: part of your order {c.external_ref} can't be sent, and it has been cancelled."),
        _items("Cancelled", s.lines),
        Para(why),
        Para("The rest of your order is not affected."),
    ]


def _feedback_request(c: EmailContext) -> list[Block]:
    if not c.feedback_url:
        raise ValueError("feedback_request needs EmailContext.feedback_url")
    return [
        Para(f"We hope you're enjoying your order {c.external_ref}. Would you tell us how it went?"),
        Link("Rate your order", c.feedback_url),
        Para("It takes less than a minute, and every answer helps us do better."),
    ]


def _partner_facts(c: EmailContext) -> Facts:
    return Facts((("Shipment", _shipment(c).shipment_id), ("Order", c.order_id), ("Store ref", c.external_ref)))


def _fulfillment_request(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    return [
        Para("Please pick, pack and ship the items below to our customer."),
        _partner_facts(c),
        _items("Items", s.lines, with_sku=True),
        _address("Ship to", c.shipping_address),
        Para(
            f"Quote shipment {s.shipment_id} in every tracking update. If you can't fulfil it, "
            "reject it through the tracking API so we can source it elsewhere."
        ),
    ]


def _purchase_order(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    return [
        Para("Please ship the items below directly to our customer."),
        _partner_facts(c),
        _items("Items", s.lines, with_sku=True),
        _address("Ship to", c.shipping_address),
        Para(
            f"Quote shipment {s.shipment_id} in every tracking update, with the carrier and tracking "
            "number once it ships."
        ),
    ]


def _cancellation_request(c: EmailContext) -> list[Block]:
    s = _shipment(c)
    return [
        Para(f"Please cancel shipment {s.shipment_id} and do not ship it."),
        _partner_facts(c),
        _items("Items", s.lines, with_sku=True),
        _address("It was to go to", c.shipping_address),
        Para("If it has already left, send the SHIPPED tracking update as usual and we'll take it from there."),
    ]


_BODIES: dict[EmailKind, Callable[[EmailContext], list[Block]]] = {
    EmailKind.ORDER_CONFIRMED: _order_confirmed,
    EmailKind.ORDER_BACKORDERED: _order_backordered,
    EmailKind.ORDER_CANCELLED: _order_cancelled,
    EmailKind.ORDER_FAILED: _order_failed,
    EmailKind.SHIPMENT_SHIPPED: _shipment_shipped,
    EmailKind.SHIPMENT_DELIVERED: _shipment_delivered,
    EmailKind.SHIPMENT_EXCEPTION: _shipment_exception,
    EmailKind.UNITS_CANCELLED: _units_cancelled,
    EmailKind.FEEDBACK_REQUEST: _feedback_request,
    EmailKind.FULFILLMENT_REQUEST: _fulfillment_request,
    EmailKind.PURCHASE_ORDER: _purchase_order,
    EmailKind.CANCELLATION_REQUEST: _cancellation_request,
}


def render(kind: EmailKind, ctx: EmailContext, brand: Brand | None = None) -> Rendered:
    """The email of `kind` for this context, in the merchant's brand; ValueError if the context lacks
    what the kind needs."""
    kind = EmailKind(kind)
    brand = brand or Brand()
    shipment_id = ctx.shipment.shipment_id if ctx.shipment else ""
    subject = _SUBJECTS[kind].format(ref=ctx.external_ref, order_id=ctx.order_id, shipment_id=shipment_id)
    if kind in PARTNER_KINDS:
        greeting = f"Hello {ctx.partner_name or _shipment(ctx).partner_name},"
        blocks: list[Block] = [Para(greeting), *_BODIES[kind](ctx), Para("Thank you.")]
        reason = f"You are receiving this email because you fulfil orders for {brand.shop_name}."
    else:
        greeting = f"Hello {ctx.customer_name}," if ctx.customer_name else "Hello,"
        blocks = [Para(greeting), *_BODIES[kind](ctx), Para(_CUSTOMER_SIGN_OFF)]
        reason = f"You are receiving this email because you placed order {ctx.external_ref} with {brand.shop_name}."
    # A line break in a subject would let a value forge extra mail headers.
    subject = " ".join(subject.split())
    return Rendered(subject=subject, text=text(blocks, brand, reason), html=html(subject, blocks, brand, reason))
