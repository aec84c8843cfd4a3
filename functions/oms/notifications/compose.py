"""What an email needs to know, gathered from the stored order: its context and its recipient."""

from __future__ import annotations

from oms.notifications.catalogue import (
    PARTNER_KINDS,
    EmailAddress,
    EmailContext,
    EmailKind,
    EmailLine,
    EmailShipment,
)
from oms.records import Partner, StoredOrder
from oms.repository import catalog
from oms.views import line_views


def _lines(pairs: list[tuple[str, int]], names: dict[str, str]) -> tuple[EmailLine, ...]:
    return tuple(EmailLine(sku=sku, name=names.get(sku, sku), quantity=qty) for sku, qty in pairs if qty > 0)


def context(
    order: StoredOrder, shipment_id: str | None = None, feedback_url: str | None = None
) -> tuple[EmailContext, Partner | None]:
    """The email context of an order (and one of its shipments), with that shipment's partner."""
    names = {sku: p.name for sku, p in catalog.known_products([line.sku for line in order.lines]).items()}
    shipment = order.shipment(shipment_id) if shipment_id else None
    partner = catalog.known_partner_record(shipment.partner_id) if shipment else None
    email_shipment = None
    if shipment is not None:
        email_shipment = EmailShipment(
            shipment_id=shipment.shipment_id,
            partner_name=partner.name if partner else shipment.partner_id,
            kind=shipment.kind.value,
            lines=_lines([(x.sku, x.quantity) for x in shipment.lines], names),
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            tracking_url=shipment.tracking_url,
            exception_reason=shipment.exception.reason if shipment.exception else None,
            rejection_reason=shipment.rejection_reason,
        )
    shipping_now: dict[str, int] = {}
    for s in order.shipments:
        for x in s.lines:
            shipping_now[x.sku] = shipping_now.get(x.sku, 0) + x.quantity
    address = order.shipping_address
    ctx = EmailContext(
        order_id=order.order_id,
        external_ref=order.external_ref,
        customer_name=order.customer.name,
        shipping_address=EmailAddress(
            name=address.name,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country=address.country,
        ),
        lines=_lines([(x.sku, x.quantity) for x in order.lines], names),
        shipment=email_shipment,
        backordered=_lines([(x.sku, x.backordered) for x in order.lines], names),
        cancelled=_lines([(x.sku, x.cancelled) for x in line_views(order)], names),
        shipping_now=_lines(list(shipping_now.items()), names),
        feedback_url=feedback_url,
        partner_name=partner.name if partner else None,
    )
    return ctx, partner


def recipient(kind: EmailKind, order: StoredOrder, partner: Partner | None) -> str:
    if kind in PARTNER_KINDS:
        if partner is None:
            raise ValueError(f"{kind} needs the shipment's partner")
        return partner.email
    return str(order.customer.email)
