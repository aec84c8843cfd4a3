"""Products and partners in the Catalog table, every partner also listed in one directory item; a partner's
secret goes to Secrets Manager (`secrets`)."""

from __future__ import annotations

import threading
import time
from typing import Any

from oms import aws
from oms.errors import TransientError
from oms.models import PartnerIn, ProductIn
from oms.records import Partner, Product
from oms.repository import keys, secrets
from oms.repository.dynamo import Cancelled, db, from_item, to_item, transact
from oms.settings import settings

# How long an environment answers a product from what it read before. Products are never deleted, so a
# SKU found stays found; a product's name or fulfilment changed by PUT /products reaches the functions
# that read it through `known_products` (POST /orders, email lines) within this time, as partner secrets do.
PRODUCT_FRESHNESS_SECONDS = 300
_known: dict[str, tuple[float, Product]] = {}
# Partners are never deleted either: each as last found, and when, for the functions that address it
# (emails, webhooks) and the check that it exists; a partner changed by PUT /partners reaches them within
# the same time.
_known_partners: dict[str, tuple[float, Partner]] = {}
_known_lock = threading.Lock()
aws.on_reset(_known.clear)
aws.on_reset(_known_partners.clear)


def put_product(product: ProductIn) -> None:
    db().put_item(
        TableName=settings().catalog_table, Item=to_item({**keys.product(product.sku), **product.model_dump()})
    )
    with _known_lock:
        _known.pop(product.sku, None)


def put_partner(partner: PartnerIn, rank: int | None = None) -> Partner:
    """Store the partner, its secret apart (the table never holds a secret), and its entry in the
    partner directory in the same transaction, so the directory cannot drift from the partner items.
    Without a rank, a known partner keeps its own and a new one comes after every other. Another write
    that changed the directory meanwhile is a TransientError: trying again reads the directory anew."""
    directory, version = _directory()
    if rank is None:
        own = directory.get(partner.id)
        rank = own.rank if own else max((p.rank for p in directory.values()), default=-1) + 1
    record = {**partner.model_dump(mode="json", exclude={"secret"}), "rank": rank}
    stored = Partner.model_validate(record)
    directory[partner.id] = stored
    secrets.store_partner_secret(partner.id, partner.secret)
    table = settings().catalog_table
    entries = {p.id: p.model_dump(mode="json", exclude={"id"}, exclude_none=True) for p in directory.values()}
    try:
        transact(
            [
                {"Put": {"TableName": table, "Item": to_item({**keys.partner(partner.id), **record})}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": to_item({**keys.partner_directory(), "version": version + 1, "partners": entries}),
                        **_directory_unchanged_since(version),
                    }
                },
            ]
        )
    except Cancelled as refused:
        if refused.failed(1):
            raise TransientError("the partner directory changed while a partner was written") from refused
        raise
    with _known_lock:
        _known_partners.pop(partner.id, None)
    return stored


def _directory() -> tuple[dict[str, Partner], int]:
    """Every partner by id, and the directory's version (0 before the first partner)."""
    item = (
        db()
        .get_item(TableName=settings().catalog_table, Key=to_item(keys.partner_directory()), ConsistentRead=True)
        .get("Item")
    )
    if not item:
        return {}, 0
    found = from_item(item)
    entries: dict[str, dict[str, Any]] = found["partners"]
    return {pid: Partner.model_validate({**entry, "id": pid}) for pid, entry in entries.items()}, int(found["version"])


def _directory_unchanged_since(version: int) -> dict[str, Any]:
    if version == 0:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    return {
        "ConditionExpression": "#version = :version",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": to_item({":version": version}),
    }


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


def known_products(skus: list[str]) -> dict[str, Product]:
    """The products among `skus` that exist, by SKU, answered from this environment's reads of the last
    PRODUCT_FRESHNESS_SECONDS; only SKUs not read in that time (an unknown SKU always) are read again."""
    now = time.monotonic()
    with _known_lock:
        hits = {sku: _known.get(sku) for sku in skus}
    fresh = {sku: hit[1] for sku, hit in hits.items() if hit and now - hit[0] < PRODUCT_FRESHNESS_SECONDS}
    missing = [s for s in skus if s not in fresh]
    if missing:
        found = products(missing)
        with _known_lock:
            _known.update({sku: (now, product) for sku, product in found.items()})
        fresh.update(found)
    return fresh


def known_partner(partner_id: str) -> bool:
    """Whether the partner exists, answered from this environment's finding of the last
    PRODUCT_FRESHNESS_SECONDS; an unknown partner is always read again."""
    return known_partner_record(partner_id) is not None


def known_partner_record(partner_id: str) -> Partner | None:
    """The partner as this environment read it in the last PRODUCT_FRESHNESS_SECONDS, or as read now; an
    unknown partner (None) is always read again."""
    now = time.monotonic()
    with _known_lock:
        hit = _known_partners.get(partner_id)
    if hit is not None and now - hit[0] < PRODUCT_FRESHNESS_SECONDS:
        return hit[1]
    found = partner(partner_id)
    if found is not None:
        with _known_lock:
            _known_partners[partner_id] = (now, found)
    return found


def partner(partner_id: str) -> Partner | None:
    item = db().get_item(TableName=settings().catalog_table, Key=to_item(keys.partner(partner_id))).get("Item")
    return Partner.model_validate(from_item(item)) if item else None


def partners() -> list[Partner]:
    """Every partner, in seed order (rank): one strongly consistent read of the partner directory."""
    directory, _ = _directory()
    return sorted(directory.values(), key=lambda p: (p.rank, p.id))
