"""Products and partners in the Catalog table; partner secrets in Secrets Manager."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import ClientError

from oms import aws
from oms.models import PartnerIn, ProductIn
from oms.records import Partner, Product
from oms.repository import keys
from oms.repository.dynamo import db, error_code, from_item, to_item
from oms.settings import settings

_SECRET_TTL_SECONDS = 300
_secret_cache: dict[str, tuple[float, str]] = {}
_secret_lock = threading.Lock()


def put_product(product: ProductIn) -> None:
    db().put_item(
        TableName=settings().catalog_table, Item=to_item({**keys.product(product.sku), **product.model_dump()})
    )


def put_partner(partner: PartnerIn, rank: int) -> None:
    """Store the partner, its secret apart: the table never holds a secret."""
    record = partner.model_dump(mode="json", exclude={"secret"})
    db().put_item(
        TableName=settings().catalog_table, Item=to_item({**keys.partner(partner.id), **record, "rank": rank})
    )
    _store_secret(partner.id, partner.secret)


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


def partner_secret(partner_id: str) -> str | None:
    """The partner's signing secret, cached for five minutes so a rotation takes effect soon."""
    now = time.monotonic()
    cached = _secret_cache.get(partner_id)
    if cached and now - cached[0] < _SECRET_TTL_SECONDS:
        return cached[1]
    try:
        secret = aws.client("secretsmanager").get_secret_value(SecretId=_secret_name(partner_id))["SecretString"]
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise
    with _secret_lock:
        _secret_cache[partner_id] = (now, secret)
    return secret


def secret_value(secret_id: str) -> str:
    """A whole secret by id or ARN (the feedback-token key), cached like the partner secrets."""
    now = time.monotonic()
    cached = _secret_cache.get(secret_id)
    if cached and now - cached[0] < _SECRET_TTL_SECONDS:
        return cached[1]
    secret = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    with _secret_lock:
        _secret_cache[secret_id] = (now, secret)
    return secret


def forget_secrets() -> None:
    with _secret_lock:
        _secret_cache.clear()


def _secret_name(partner_id: str) -> str:
    return f"{settings().partner_secret_prefix}{partner_id}"


def _store_secret(partner_id: str, secret: str) -> None:
    client = aws.client("secretsmanager")
    try:
        client.put_secret_value(SecretId=_secret_name(partner_id), SecretString=secret)
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        client.create_secret(
            Name=_secret_name(partner_id),
            SecretString=secret,
            Description=f"OMS signing secret of partner {partner_id}",
        )
    with _secret_lock:
        _secret_cache.pop(partner_id, None)
