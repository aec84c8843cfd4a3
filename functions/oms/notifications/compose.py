"""What an email needs to know, gathered from the stored order: its context and its recipient."""

from __future__ import annotations

from typing import Any

from oms.notifications.catalogue import (
    PARTNER_KINDS,
    EmailAddress,
    EmailContext,
    EmailKind,
    EmailLine,
    EmailShipment,
)
from oms.repository import catalog
from oms.repository.orders import OrderBundle


def _lines(pairs: list[tuple[str, int]], names: dict[str, str]) -> tuple[EmailLine, ...]:
    return tuple(EmailLine(sku=sku, name=names.get(sku, sku), quantity=qty) for sku, qty in pairs if qty > 0)


def context(
    bundle: OrderBundle, shipment_id: str | None = None, feedback_url: str | None = None
) -> tuple[EmailContext, dict[str, Any] | None]:
    """The email context of an order (and one of its shipments), with that shipment's partner."""
    head = bundle.header
    skus = [line["sku"] for line in head["lines"]]
    names = {sku: p["name"] for sku, p in catalog.products(skus).items()}
    shipment = bundle.shipment(shipment_id) if shipment_id else None
    partner = catalog.partner(shipment["partner_id"]) if shipment else None
    email_shipment = None
    if shipment is not None:
        exception = shipment.get("exception") or {}
        email_shipment = EmailShipment(
            shipment_id=shipment["shipment_id"],
            partner_name=(partner or {}).get("name", shipment["partner_id"]),
            kind=shipment["kind"],
            lines=_lines([(x["sku"], x["quantity"]) for x in shipment["lines"]], names),
            carrier=shipment.get("carrier"),
            tracking_number=shipment.get("tracking_number"),
            tracking_url=shipment.get("tracking_url"),
            exception_reason=exception.get("reason"),
        )
    shipping_now: dict[str, int] = {}
    for s in bundle.shipments:
        for x in s["lines"]:
            shipping_now[x["sku"]] = shipping_now.get(x["sku"], 0) + x["quantity"]
    address = head["shipping_address"]
    ctx = EmailContext(
        order_id=head["order_id"],
        external_ref=head["external_ref"],
        customer_name=head["customer"]["name"],
        shipping_address=EmailAddress(
            **{k: address.get(k) for k in ("name", "line1", "line2", "city", "region", "postal_code", "country")}
        ),
        lines=_lines([(x["sku"], x["quantity"]) for x in head["lines"]], names),
        shipment=email_shipment,
        backordered=_lines([(x["sku"], x.get("backordered", 0)) for x in head["lines"]], names),
        cancelled=_lines([(x["sku"], x.get("cancelled", 0)) for x in head["lines"]], names),
        shipping_now=_lines(list(shipping_now.items()), names),
        feedback_url=feedback_url,
        partner_name=(partner or {}).get("name"),
    )
    return ctx, partner


def recipient(kind: EmailKind, bundle: OrderBundle, partner: dict[str, Any] | None) -> str:
    if kind in PARTNER_KINDS:
        if partner is None:
            raise ValueError(f"{kind} needs the shipment's partner")
        return str(partner["email"])
    return str(bundle.header["customer"]["email"])
