"""Careless clients and attackers over HTTP against `oms local`: every answer a 4xx in the envelope."""

from __future__ import annotations

import base64
import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from oms.signatures import HEADER, sign
from tests.e2e.conftest import SEED, Client
from tests.e2e.test_order_story import _order
from tests.scenario import Reply

NOT_UTF8 = b'{"external_ref": "\xff\xfe"}'
NESTED = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
STOREFRONT = {"x-api-key": SEED["api_keys"]["storefront"]}


def _secret(partner_id: str) -> str:
    return next(p["secret"] for p in SEED["partners"] if p["id"] == partner_id)


def _send(client: Client, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Reply:
    """Exactly these headers and bytes: no client library adds or fixes anything."""
    url = urlsplit(client.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Content-Length": str(len(body)), **(headers or {})})
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def _signed(raw: bytes, partner_id: str = "main-warehouse", **headers: str) -> dict[str, str]:
    return {HEADER: sign(_secret(partner_id), raw, int(time.time())), **headers}


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_declared_non_json_order_is_415(oms_local: Client, content_type: str) -> None:
    reply = _send(
        oms_local, "POST", "/orders", json.dumps(_order()).encode(), {**STOREFRONT, "Content-Type": content_type}
    )

    assert (reply.status, reply.error_code) == (415, "unsupported_media_type")


def test_an_order_without_a_content_type_is_read_as_json(oms_local: Client) -> None:
    reply = _send(oms_local, "POST", "/orders", json.dumps(_order()).encode(), STOREFRONT)

    assert reply.status == 202, reply.body


@pytest.mark.parametrize("path", ["/orders", "/feedback/not-a-token"])
def test_deeply_nested_json_is_400(oms_local: Client, path: str) -> None:
    reply = _send(oms_local, "POST", path, NESTED, {**STOREFRONT, "Content-Type": "application/json"})

    assert (reply.status, reply.error_code) == (400, "validation_error")


@pytest.mark.parametrize("path", ["/orders", "/feedback/not-a-token", "/partners/main-warehouse/tracking"])
def test_a_body_that_is_not_utf8_is_400_on_every_post_route(oms_local: Client, path: str) -> None:
    headers = {**STOREFRONT, "Content-Type": "application/json"}
    if path.startswith("/partners"):
        headers.update(_signed(NOT_UTF8))

    reply = _send(oms_local, "POST", path, NOT_UTF8, headers)

    assert (reply.status, reply.error_code) == (400, "validation_error")


def test_an_unsigned_partner_body_that_is_not_utf8_is_401_before_anything_else(oms_local: Client) -> None:
    reply = _send(oms_local, "POST", "/partners/main-warehouse/tracking", NOT_UTF8, {"Content-Type": "text/plain"})

    assert (reply.status, reply.error_code) == (401, "invalid_signature")


def test_a_cursor_of_the_wrong_shape_is_400_naming_cursor(oms_local: Client) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps({"PK": 1}).encode()).decode()

    reply = _send(oms_local, "GET", f"/partners/main-warehouse/shipments?cursor={cursor}", b"", _signed(b""))

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "cursor"


@pytest.mark.parametrize("quantity", [True, "2"])
def test_a_quantity_that_is_not_a_json_integer_is_400(oms_local: Client, quantity: object) -> None:
    reply = oms_local.call("POST", "/orders", _order(lines=[{"sku": "TEE-RED-M", "quantity": quantity}]))

    assert (reply.status, reply.error_code) == (400, "validation_error")


def test_a_name_with_a_line_break_is_400_so_no_header_can_be_forged(oms_local: Client) -> None:
    reply = oms_local.call(
        "POST", "/orders", _order(customer={"email": "ada@example.com", "name": "Ada\r\nBcc: x@y.z"})
    )

    assert (reply.status, [d["field"] for d in reply.json["error"]["details"]]) == (400, ["customer.name"])


def test_a_body_over_what_lambda_takes_is_413_in_the_envelope(oms_local: Client) -> None:
    big = b" " * (6 * 1024 * 1024 + 1) + json.dumps(_order()).encode()

    reply = _send(oms_local, "POST", "/orders", big, {**STOREFRONT, "Content-Type": "application/json"})

    assert (reply.status, reply.error_code) == (413, "payload_too_large")


def test_a_body_over_api_gateways_limit_is_413_in_the_envelope(oms_local: Client) -> None:
    big = b" " * (10 * 1024 * 1024 + 1)

    reply = _send(oms_local, "POST", "/orders", big, {**STOREFRONT, "Content-Type": "application/json"})

    assert (reply.status, reply.error_code) == (413, "payload_too_large")


def test_a_body_over_what_oms_reads_is_413(oms_local: Client) -> None:
    big = b" " * (1024 * 1024 + 1) + json.dumps(_order()).encode()

    reply = _send(oms_local, "POST", "/orders", big, {**STOREFRONT, "Content-Type": "application/json"})

    assert (reply.status, reply.error_code) == (413, "payload_too_large")


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "BREW"])
def test_an_unknown_method_is_answered_as_an_unknown_route_in_the_envelope(oms_local: Client, method: str) -> None:
    reply = _send(oms_local, method, "/orders", b"", STOREFRONT)

    assert (reply.status, reply.error_code) == (404, "not_found")
