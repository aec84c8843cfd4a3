"""Products and partners in the Catalog table; a partner's secret goes to Secrets Manager (`secrets`)."""

from __future__ import annotations

from typing import Any

from oms.models import PartnerIn, ProductIn
from oms.records import Partner, Product
from oms.repository import keys, secrets
from oms.repository.dynamo import db, from_item, to_item
from oms.settings import settings


def put_product(product: ProductIn) -> None:
    db().put_item(
        TableName=settings().catalog_table, Item=to_item({**keys.product(product.sku), **product.model_dump()})
    )


def put_partner(partner: PartnerIn, rank: int | None = None) -> Partner:
    """Store the partner, its secret apart: the table never holds a secret. Without a rank, a known
    partner keeps its own and a new one comes after every other."""
    if rank is None:
        known = partners()
        own = next((p.rank for p in known if p.id == partner.id), None)
        rank = own if own is not None else max((p.rank for p in known), default=-1) + 1
    record = {**partner.model_dump(mode="json", exclude={"secret"}), "rank": rank}
    secrets.store_partner_secret(partner.id, partner.secret)
    db().put_item(TableName=settings().catalog_table, Item=to_item({**keys.partner(partner.id), **record}))
    return Partner.model_validate(record)


def product(sku: str) -> Product | None:
    item = db().get_item(TableName=settings().catalog_table, Key=to_item(keys.product(sku))).get("Item")
    return Product.model_validate(from_item(item)) if item else None


def products(skus: list[str]) -> dict[str, Product]:
    """The products among `skus` that exist, by SKU."""
    found: dict[str, Product] = {}
    unique = sorted(set(skus))
    for start in range(0, len(unique), 100):
        request = {settings().catalog_table: {"Keys": [to_item(keys.product(s)) for s in unique[start : start + 100]]}}
        while request:
            page = db().batch_get_item(RequestItems=request)
            for item in page["Responses"].get(settings().catalog_table, []):
                product = Product.model_validate(from_item(item))
                found[product.sku] = product
            request = page.get("UnprocessedKeys") or {}
    return found


def partner(partner_id: str) -> Partner | None:
    item = db().get_item(TableName=settings().catalog_table, Key=to_item(keys.partner(partner_id))).get("Item")
    return Partner.model_validate(from_item(item)) if item else None


def partners() -> list[Partner]:
    """Every partner, in seed order (rank)."""
    items: list[Partner] = []
    kwargs: dict[str, Any] = {
        "TableName": settings().catalog_table,
        "FilterExpression": "begins_with(PK, :p) AND SK = :s",
        "ExpressionAttributeValues": to_item({":p": "PARTNER#", ":s": "PARTNER"}),
    }
    while True:
        page = db().scan(**kwargs)
        items.extend(Partner.model_validate(from_item(i)) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items, key=lambda p: p.rank)
