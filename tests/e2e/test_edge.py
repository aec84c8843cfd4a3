"""Who may call what, over HTTP: the key authorizer refuses the storefront key on admin routes before admin_api runs
(the answer is the gateway's ACCESS_DENIED response, not the function's own refusal), and every party's own
routes still work."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Client
from tests.e2e.test_order_story import _order

GATEWAY_DENIAL = {"error": {"code": "forbidden", "message": "Access denied.", "details": []}}
MISSING_KEY = {"error": {"code": "forbidden", "message": "A valid API key is required.", "details": []}}
ADMIN_ROUTES = [
    ("GET", "/inventory/TEE-RED-M", None),
    ("POST", "/inventory/adjustments", {"sku": "TEE-RED-M", "location": "main-warehouse", "on_hand": 0}),
    ("PUT", "/products/TEE-RED-M", {"sku": "TEE-RED-M", "name": "Red tee, M"}),
    ("GET", "/partners/main-warehouse", None),
    ("GET", "/orders", None),
    ("GET", "/storefront/webhooks", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p, _ in ADMIN_ROUTES])
def test_the_storefront_key_on_an_admin_route_is_refused_by_the_gateway(oms_local: Client, method, path, body):
    answer = oms_local.call(method, path, body, key="storefront")

    assert answer.status == 403
    assert answer.json == GATEWAY_DENIAL


def test_an_admin_route_refused_at_the_edge_changes_nothing(oms_local: Client):
    before = oms_local.call("GET", "/inventory/TEE-RED-M", key="admin").json
    counted = {"sku": "TEE-RED-M", "location": "main-warehouse", "on_hand": 0}

    assert oms_local.call("POST", "/inventory/adjustments", counted, key="storefront").status == 403

    assert oms_local.call("GET", "/inventory/TEE-RED-M", key="admin").json == before


def test_a_missing_or_unknown_key_is_forbidden_in_the_envelope(oms_local: Client):
    missing = oms_local.call("GET", "/orders/ORD-X", key=None)
    unknown = oms_local.call("GET", "/orders/ORD-X", key=None, headers={"x-api-key": "not-a-key-" + uuid.uuid4().hex})

    assert (missing.status, missing.json) == (403, MISSING_KEY)
    assert (unknown.status, unknown.json) == (403, GATEWAY_DENIAL)


def test_the_admin_key_opens_the_admin_routes(oms_local: Client):
    for method, path, body in ADMIN_ROUTES:
        if method == "GET":
            answer = oms_local.call(method, path, body, key="admin")
            assert answer.status == 200, (path, answer.body)


def test_the_storefront_key_still_places_reads_and_cancels_orders(oms_local: Client):
    placed = oms_local.call("POST", "/orders", _order())
    assert placed.status == 202, placed.body
    order_id = placed.json["order_id"]

    read = oms_local.call("GET", f"/orders/{order_id}")
    cancelled = oms_local.call("POST", f"/orders/{order_id}/cancel")

    assert read.status == 200
    assert cancelled.status == 200, cancelled.body
    assert oms_local.call("GET", f"/orders/{order_id}", key="admin").status == 200
