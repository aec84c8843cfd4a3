"""The synthesized template's edge on the local stack: the real authorizer separates the storefront and admin keys
before any function runs, and its answer is cached by key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.api.emulator import ApiEmulator
from local.seed import api_key_kinds
from tests.scenario import ORDER, scenario

DENIED = {"error": {"code": "forbidden", "message": "Access denied.", "details": []}}
ADMIN_ROUTES = [
    ("GET", "/inventory/TEE-RED-M"),
    ("POST", "/inventory/receipts"),
    ("PUT", "/products/TEE-RED-M"),
    ("GET", "/partners/main-warehouse"),
    ("GET", "/orders"),
    ("POST", "/webhooks/dead-letters/redrive"),
]


class Edge:
    def __init__(self, oms: Any, template: dict[str, Any]) -> None:
        self.oms = oms
        self.invoked: list[tuple[str, dict]] = []
        self.api = ApiEmulator(template, api_key_kinds(oms.seed), self._invoke)

    def _invoke(self, function: str, event: dict) -> Any:
        self.invoked.append((function, event))
        return self.oms.stack.invoke(function, event)

    def call(self, method: str, path: str, key: str | None, body: bytes = b"") -> tuple[int, Any]:
        headers = {"x-api-key": self.oms.seed["api_keys"][key]} if key else {}
        if body:
            headers["Content-Type"] = "application/json"
        status, response_headers, raw = self.api.handle(method, path, {}, headers, body)
        json_answer = response_headers.get("Content-Type", "").startswith("application/json")
        return status, json.loads(raw) if raw and json_answer else raw

    def functions(self) -> list[str]:
        return [name for name, _ in self.invoked]


@pytest.fixture(scope="module")
def edge(template: dict[str, Any]) -> Iterator[Edge]:
    with scenario(template, executions=False) as oms:
        yield Edge(oms, template)


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=[" ".join(r) for r in ADMIN_ROUTES])
def test_the_storefront_key_on_an_admin_route_is_refused_at_the_edge(edge, method, path):
    edge.invoked.clear()

    status, body = edge.call(method, path, "storefront", b"{}" if method != "GET" else b"")

    assert (status, body) == (403, DENIED)
    assert "AdminApiFunction" not in edge.functions()


def test_the_admin_key_reaches_the_admin_api_with_its_party(edge):
    edge.invoked.clear()

    status, body = edge.call("GET", "/inventory/TEE-RED-M", "admin")

    assert status == 200, body
    (admin_event,) = [event for name, event in edge.invoked if name == "AdminApiFunction"]
    assert admin_event["requestContext"]["authorizer"]["party"] == "admin"
    assert admin_event["requestContext"]["authorizer"]["principalId"] == "admin"


def test_the_storefront_key_still_places_and_reads_orders(edge):
    status, accepted = edge.call(
        "POST", "/orders", "storefront", json.dumps({**ORDER, "external_ref": "EDGE-1"}).encode()
    )
    assert status == 202, accepted

    status, order = edge.call("GET", f"/orders/{accepted['order_id']}", "storefront")

    assert (status, order["external_ref"]) == (200, "EDGE-1")


def test_one_authorizer_run_serves_a_key_for_the_cache_ttl(edge):
    edge.invoked.clear()
    for _ in range(3):
        edge.call("GET", "/orders/no-such-order", "storefront")
        edge.call("GET", "/products/TEE-RED-M", "admin")

    assert edge.functions().count("AuthorizerFunction") == 0  # both keys' answers are cached by now
    assert edge.functions().count("OrdersApiFunction") == 3
    assert edge.functions().count("AdminApiFunction") == 3


def test_a_key_that_is_not_one_is_refused_and_partners_and_customers_never_meet_the_authorizer(edge):
    edge.invoked.clear()
    status, _, raw = edge.api.handle("GET", "/orders/x", {}, {"x-api-key": "guessed-key-value"}, b"")
    assert (status, json.loads(raw)) == (403, DENIED)

    edge.call("GET", "/feedback/not-a-token", None)
    edge.call("GET", "/partners/main-warehouse/shipments", None)

    assert edge.functions() == ["AuthorizerFunction", "FeedbackFunction", "TrackingFunction"]
