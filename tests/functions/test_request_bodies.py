"""What careless clients and attackers send: every body is answered with a 4xx in the envelope, never a 5xx."""

import base64
import json
import time

import pytest

from oms.request_body import MAX_BODY_BYTES, MAX_DEPTH
from oms.signatures import HEADER, sign
from tests.scenario import ORDER, Scenario

ORDER_JSON = json.dumps(ORDER).encode()
NOT_UTF8 = b'{"external_ref": "\xff\xfe"}'
NESTED = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_declared_non_json_body_is_unsupported_media_type(oms: Scenario, content_type: str) -> None:
    reply = oms.request("POST", "/orders", raw=ORDER_JSON, headers={"Content-Type": content_type})

    assert (reply.status, reply.error_code) == (415, "unsupported_media_type")


def test_a_json_body_sent_as_a_form_is_unsupported_not_read_as_a_form(oms: Scenario) -> None:
    reply = oms.request(
        "POST", "/orders", raw=ORDER_JSON, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert (reply.status, reply.error_code) == (415, "unsupported_media_type")
    assert "application/json" in reply.json["error"]["message"]


def test_a_json_body_without_a_content_type_is_read_as_json(oms: Scenario) -> None:
    status, _, body = oms.api.handle(
        "POST", "/orders", {}, {"x-api-key": oms.seed["api_keys"]["storefront"]}, ORDER_JSON
    )

    assert status == 202, body


def test_json_with_a_charset_is_json(oms: Scenario) -> None:
    reply = oms.request("POST", "/orders", raw=ORDER_JSON, headers={"Content-Type": "application/json; charset=utf-8"})

    assert reply.status == 202


@pytest.mark.parametrize("path", ["/orders", "/feedback/not-a-token"])
def test_deeply_nested_json_is_a_validation_error(oms: Scenario, path: str) -> None:
    reply = oms.request("POST", path, raw=NESTED, key="storefront" if path == "/orders" else None)

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert str(MAX_DEPTH) in reply.json["error"]["message"]


@pytest.mark.parametrize("path", ["/orders", "/feedback/not-a-token"])
def test_a_body_that_is_not_utf8_is_a_validation_error(oms: Scenario, path: str) -> None:
    reply = oms.request("POST", path, raw=NOT_UTF8, key="storefront" if path == "/orders" else None)

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"] == [{"field": "body", "message": "The body is not UTF-8 text."}]


def test_nan_is_not_json(oms: Scenario) -> None:
    reply = oms.request("POST", "/orders", raw=ORDER_JSON.replace(b'"quantity": 2', b'"quantity": NaN'))

    assert (reply.status, reply.error_code) == (400, "validation_error")


def test_a_body_larger_than_any_order_is_payload_too_large(oms: Scenario) -> None:
    reply = oms.request("POST", "/orders", raw=b" " * (MAX_BODY_BYTES + 1) + ORDER_JSON)

    assert (reply.status, reply.error_code) == (413, "payload_too_large")


@pytest.mark.parametrize("quantity", [True, "2", 2.5, None])
def test_a_quantity_must_be_a_json_integer(oms: Scenario, quantity: object) -> None:
    reply = oms.place(lines=[{"sku": "TEE-RED-M", "quantity": quantity}])

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert [d["field"] for d in reply.json["error"]["details"]] == ["lines[0].quantity"]


@pytest.mark.parametrize("name", ["Ada\r\nBcc: everyone@example.com", "Ada\x00", "Ada \ud800"])
def test_control_characters_and_lone_surrogates_in_names_are_refused(oms: Scenario, name: str) -> None:
    reply = oms.place(customer={"email": "ada@example.com", "name": name})

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert [d["field"] for d in reply.json["error"]["details"]] == ["customer.name"]


def test_a_street_with_a_line_break_is_refused(oms: Scenario) -> None:
    reply = oms.place(shipping_address={**ORDER["shipping_address"], "line1": "12 St James's Sq\nSubject: x"})

    assert (reply.status, [d["field"] for d in reply.json["error"]["details"]]) == (400, ["shipping_address.line1"])


def _signed(oms: Scenario, raw: bytes, partner_id: str = "main-warehouse", **headers: str) -> dict[str, str]:
    return {HEADER: sign(oms.secret(partner_id), raw, int(time.time())), **headers}


def test_a_partner_body_that_is_not_utf8_is_checked_for_its_signature_first(oms: Scenario) -> None:
    path = "/partners/main-warehouse/tracking"
    unsigned = oms.request("POST", path, key=None, raw=NOT_UTF8)
    signed = oms.request("POST", path, key=None, raw=NOT_UTF8, headers=_signed(oms, NOT_UTF8))

    assert (unsigned.status, unsigned.error_code) == (401, "invalid_signature")
    assert (signed.status, signed.error_code) == (400, "validation_error")


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [(NESTED, "application/json", 400), (b"{}", "text/plain", 415), (b"[1, 2]", "application/json", 400)],
)
def test_a_signed_partner_body_that_is_not_an_update_is_a_4xx(oms: Scenario, raw, content_type, status) -> None:
    reply = oms.request(
        "POST",
        "/partners/main-warehouse/tracking",
        key=None,
        raw=raw,
        headers=_signed(oms, raw, **{"Content-Type": content_type}),
    )

    assert reply.status == status


@pytest.mark.parametrize(
    "cursor",
    [
        base64.urlsafe_b64encode(json.dumps({"PK": 1}).encode()).decode(),
        base64.urlsafe_b64encode(b"not json").decode(),
        "%%%",
        base64.urlsafe_b64encode(
            json.dumps({k: {"S": "PARTNER#east-3pl#SENT"} for k in ("PK", "SK", "GSI1PK", "GSI1SK")}).encode()
        ).decode(),
    ],
)
def test_a_cursor_this_api_did_not_give_out_is_a_validation_error_naming_it(oms: Scenario, cursor: str) -> None:
    reply = oms.request(
        "GET", f"/partners/main-warehouse/shipments?cursor={cursor}", key=None, headers=_signed(oms, b"")
    )

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert [d["field"] for d in reply.json["error"]["details"]] == ["cursor"]


def test_a_cursor_given_out_reads_the_next_page(oms: Scenario) -> None:
    for number in range(51):
        oms.placed(external_ref=f"SHOP-PAGE-{number}", lines=[{"sku": "DESK-OAK", "quantity": 1}])
    path = "/partners/acme-vendor/shipments"
    first = oms.request("GET", path, key=None, headers=_signed(oms, b"", "acme-vendor")).json
    second = oms.request(
        "GET", f"{path}?cursor={first['next_cursor']}", key=None, headers=_signed(oms, b"", "acme-vendor")
    ).json

    assert (len(first["shipments"]), len(second["shipments"]), second["next_cursor"]) == (50, 1, None)


def test_a_feedback_rating_must_be_an_integer_in_json_and_a_digit_in_the_form(oms: Scenario) -> None:
    as_text = oms.request("POST", "/feedback/not-a-token", {"rating": "5"}, key=None)
    from_form = oms.request(
        "POST",
        "/feedback/not-a-token",
        key=None,
        raw=b"rating=5",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert (as_text.status, as_text.error_code) == (400, "validation_error")
    assert from_form.status == 404  # read as 5, then the token is checked


def test_an_address_the_mail_service_cannot_take_is_refused_at_intake(oms: Scenario) -> None:
    reserved = oms.place(customer={"email": "ada@shop.test", "name": "Ada"})
    non_ascii_name = oms.place(customer={"email": "zoë@example.com", "name": "Zoë"})
    not_an_address = oms.place(customer={"email": "ada-at-example.com", "name": "Ada"})

    assert (reserved.status, reserved.error_code) == (422, "undeliverable_address")
    assert (non_ascii_name.status, non_ascii_name.error_code) == (422, "undeliverable_address")
    assert [d["field"] for d in non_ascii_name.json["error"]["details"]] == ["customer.email"]
    assert (not_an_address.status, not_an_address.error_code) == (400, "validation_error")


def test_a_country_is_an_upper_case_iso_code(oms: Scenario) -> None:
    reply = oms.place(shipping_address={**ORDER["shipping_address"], "country": "gb"})

    assert (reply.status, [d["field"] for d in reply.json["error"]["details"]]) == (400, ["shipping_address.country"])
