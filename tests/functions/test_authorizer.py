"""The API's REQUEST authorizer on moto: the keys' values come from their secrets, loaded from the seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oms.repository import secrets
from oms.settings import settings

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:api1/dev/POST/inventory/receipts"
STAGE = "arn:aws:execute-api:us-east-1:123456789012:api1/dev"
EVENTS = Path(__file__).resolve().parents[2] / "events"


def _authorize(oms, key: str | None) -> dict:
    headers = {"X-API-Key": key} if key is not None else {}
    event = {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": headers, "httpMethod": "POST"}
    return dict(oms.stack.invoke("authorizer", event))


def _allowed(answer: dict) -> set[str]:
    return {
        resource
        for statement in answer["policyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for resource in statement["Resource"]
    }


def test_the_storefront_key_is_allowed_the_storefront_routes_only(oms):
    answer = _authorize(oms, oms.seed["api_keys"]["storefront"])

    assert answer["principalId"] == "storefront"
    assert answer["context"] == {"party": "storefront"}
    assert _allowed(answer) == {f"{STAGE}/POST/orders", f"{STAGE}/GET/orders/*", f"{STAGE}/POST/orders/*/cancel"}


def test_the_admin_key_is_allowed_the_admin_routes_and_the_storefront_routes(oms):
    answer = _authorize(oms, oms.seed["api_keys"]["admin"])

    assert answer["context"] == {"party": "admin"}
    assert {f"{STAGE}/POST/inventory/receipts", f"{STAGE}/GET/orders", f"{STAGE}/POST/orders"} <= _allowed(answer)
    assert not any("/partners/*/tracking" in r or "/feedback/" in r for r in _allowed(answer))


@pytest.mark.parametrize("key", ["", "not-a-key", "local-admin-key-but-longer"])
def test_any_other_value_is_denied_the_stage(oms, key):
    answer = _authorize(oms, key)

    assert answer["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [f"{STAGE}/*"]}
    ]


def test_a_new_key_value_in_the_secret_is_the_party_once_the_cached_value_is_dropped(oms):
    old_value, new_value = oms.seed["api_keys"]["admin"], "a-brand-new-admin-key-0001"
    assert _authorize(oms, old_value)["principalId"] == "admin"
    oms.stack.client("secretsmanager").put_secret_value(SecretId=settings().admin_key_secret_id, SecretString=new_value)
    assert _authorize(oms, new_value)["principalId"] == "unknown-key"  # within the five-minute secret cache

    secrets.forget()

    assert _authorize(oms, new_value)["principalId"] == "admin"
    assert _authorize(oms, old_value)["principalId"] == "unknown-key"


@pytest.mark.parametrize(("key_id", "status"), [("StorefrontKey", 403), (None, 403), ("AdminKey", 200)])
def test_admin_api_still_refuses_all_but_the_admin_key_when_reached_without_the_authorizer(oms, key_id, status):
    event = json.loads((EVENTS / "orders_api.json").read_text())
    event.update(resource="/inventory/{sku}", path="/inventory/TEE-RED-M", pathParameters={"sku": "TEE-RED-M"})
    event["requestContext"].update(resourcePath="/inventory/{sku}", path="/dev/inventory/TEE-RED-M")
    event["requestContext"].pop("authorizer")
    event["requestContext"]["identity"]["apiKeyId"] = key_id

    answer = oms.stack.invoke("admin_api", event)

    assert answer["statusCode"] == status, answer["body"]
    if status == 403:
        assert json.loads(answer["body"])["error"]["message"] == "This route needs the admin key."
