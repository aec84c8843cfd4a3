"""The admin side: who may call it (the admin key: the API's authorizer refuses the storefront key first, and
this check stands behind it in case a route is ever deployed without it), and the catalogue it keeps: products
and partners."""

from __future__ import annotations

from oms import addresses
from oms.admin_models import PartnerView
from oms.errors import Forbidden, PartnerNotFound, SkuNotFound, UndeliverableAddress
from oms.http import InvalidRequest
from oms.models import PartnerIn, ProductIn
from oms.records import Partner
from oms.repository import catalog
from oms.repository.dynamo import retried
from oms.settings import settings
from oms.statuses import Fulfilment, PartnerKind


def check_key(api_key_id: str | None) -> None:
    """403 forbidden unless the request came with the admin key (API Gateway names it by its id)."""
    if not api_key_id or api_key_id != settings().admin_api_key_id:
        raise Forbidden("This route needs the admin key.")


def product(sku: str) -> ProductIn:
    found = catalog.product(sku)
    if found is None:
        raise SkuNotFound(f"{sku} is not in the catalogue.", [{"field": "sku", "message": f"unknown SKU {sku}"}])
    return ProductIn.model_validate(found.model_dump(mode="json"))


def put_product(sku: str, body: ProductIn) -> ProductIn:
    """Create or replace a product; a drop-shipped one names a VENDOR partner."""
    if body.sku != sku:
        raise InvalidRequest("The path and the body name different products.", [_same("sku", sku)])
    if body.fulfillment == Fulfilment.DROPSHIP:
        vendor = catalog.partner(body.vendor_id or "")
        if vendor is None or vendor.kind != PartnerKind.VENDOR:
            raise InvalidRequest(
                f"A drop-shipped product needs a vendor; {body.vendor_id} is not one.",
                [{"field": "vendor_id", "message": "must name a VENDOR partner"}],
            )
    retried(lambda: catalog.put_product(body))
    return body


def partner(partner_id: str) -> PartnerView:
    found = catalog.partner(partner_id)
    if found is None:
        raise PartnerNotFound(f"No partner {partner_id}.")
    return _shown(found)


def put_partner(partner_id: str, body: PartnerIn) -> PartnerView:
    """Create or replace a partner. A new secret becomes current; the previous one keeps verifying for
    the rotation overlap (`oms.repository.secrets`)."""
    if body.id != partner_id:
        raise InvalidRequest("The path and the body name different partners.", [_same("id", partner_id)])
    refused = addresses.unsendable(body.email)
    if refused:
        # Every request and cancellation for this partner would be refused by the mail service.
        raise UndeliverableAddress("OMS could not email this partner.", [{"field": "email", "message": refused}])
    return _shown(retried(lambda: catalog.put_partner(body)))


def _shown(found: Partner) -> PartnerView:
    return PartnerView.model_validate(found.model_dump(mode="json", exclude={"rank"}))


def _same(field: str, value: str) -> dict[str, str]:
    return {"field": field, "message": f"must be {value}, as in the path"}
