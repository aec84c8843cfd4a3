"""The admin API's catalogue routes: products, partners, and a partner's secret rotation."""

from datetime import timedelta
from typing import Any

import pytest

from oms.repository.secrets import ROTATION_OVERLAP
from tests.scenario import Scenario

NEW_SECRET = "a-brand-new-secret-0123456789"
WAREHOUSE = {"id": "north-3pl", "kind": "THIRD_PARTY", "name": "North Fulfilment", "email": "ops@north.example",
             "secret": "north-secret-0123456789", "webhook_url": None}  # fmt: skip


def _put(oms: Scenario, path: str, body: dict[str, Any]) -> Any:
    return oms.request("PUT", path, body, key="admin")


def test_a_product_is_written_and_read_back(oms: Scenario) -> None:
    product = {"sku": "LAMP-1", "name": "Desk lamp", "fulfillment": "DROPSHIP", "vendor_id": "acme-vendor"}

    written = _put(oms, "/products/LAMP-1", product)
    read = oms.request("GET", "/products/LAMP-1", key="admin")

    assert (written.status, read.status) == (200, 200)
    assert written.json == read.json == product


def test_a_product_can_be_renamed(oms: Scenario) -> None:
    _put(oms, "/products/TEE-RED-M", {"sku": "TEE-RED-M", "name": "Crimson tee, M"})

    assert oms.request("GET", "/products/TEE-RED-M", key="admin").json["name"] == "Crimson tee, M"


def test_an_unknown_product_is_not_found(oms: Scenario) -> None:
    reply = oms.request("GET", "/products/NO-SUCH", key="admin")

    assert (reply.status, reply.error_code) == (404, "unknown_sku")


def test_the_path_and_the_body_name_the_same_product(oms: Scenario) -> None:
    reply = _put(oms, "/products/LAMP-1", {"sku": "LAMP-2", "name": "Desk lamp"})

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "sku"
    assert oms.request("GET", "/products/LAMP-2", key="admin").status == 404


@pytest.mark.parametrize("vendor", ["main-warehouse", "nobody"])
def test_a_drop_shipped_product_needs_a_vendor_partner(oms: Scenario, vendor: str) -> None:
    reply = _put(oms, "/products/LAMP-1", {"sku": "LAMP-1", "name": "Lamp", "fulfillment": "DROPSHIP",
                                          "vendor_id": vendor})  # fmt: skip

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "vendor_id"


def test_a_partner_is_written_and_read_back_without_its_secret(oms: Scenario) -> None:
    written = _put(oms, "/partners/north-3pl", WAREHOUSE)
    read = oms.request("GET", "/partners/north-3pl", key="admin")

    shown = {k: v for k, v in WAREHOUSE.items() if k != "secret"}
    assert (written.status, read.status) == (200, 200)
    assert written.json == read.json == shown
    assert "secret" not in read.body.decode()


def test_a_new_warehouse_takes_stock(oms: Scenario) -> None:
    _put(oms, "/partners/north-3pl", WAREHOUSE)

    reply = oms.request("POST", "/inventory/adjustments", {"sku": "TEE-RED-M", "location": "north-3pl",
                                                           "on_hand": 4}, key="admin")  # fmt: skip

    assert reply.status == 200, reply.body
    assert {"location": "north-3pl", "on_hand": 4, "reserved": 0, "available": 4} in reply.json["locations"]


def test_an_unknown_partner_is_not_found(oms: Scenario) -> None:
    reply = oms.request("GET", "/partners/nobody", key="admin")

    assert (reply.status, reply.error_code) == (404, "partner_not_found")


def test_the_path_and_the_body_name_the_same_partner(oms: Scenario) -> None:
    reply = _put(oms, "/partners/south-3pl", WAREHOUSE)

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "id"


def test_an_invalid_partner_names_its_fields(oms: Scenario) -> None:
    reply = _put(oms, "/partners/north-3pl", {**WAREHOUSE, "kind": "SHOP", "secret": "short"})

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert {d["field"] for d in reply.json["error"]["details"]} == {"kind", "secret"}


def test_a_partner_email_the_mail_service_refuses_is_refused_and_nothing_written(oms: Scenario) -> None:
    reply = _put(oms, "/partners/north-3pl", {**WAREHOUSE, "email": "zoë@north.example"})

    assert (reply.status, reply.error_code) == (422, "undeliverable_address")
    assert [d["field"] for d in reply.json["error"]["details"]] == ["email"]
    assert oms.request("GET", "/partners/north-3pl", key="admin").status == 404


def _rotate(oms: Scenario) -> str:
    shipment_id = str(oms.placed()["shipments"][0]["shipment_id"])
    partner = next(p for p in oms.seed["partners"] if p["id"] == "main-warehouse")
    assert _put(oms, "/partners/main-warehouse", {**partner, "secret": NEW_SECRET}).status == 200
    return shipment_id


def test_after_a_rotation_both_secrets_verify(oms: Scenario) -> None:
    shipment_id = _rotate(oms)

    old = oms.track("main-warehouse", shipment_id, "ACCEPTED")
    new = oms.track("main-warehouse", shipment_id, "SHIPPED", secret=NEW_SECRET)

    assert (old.status, new.status) == (202, 202)


def test_past_the_overlap_only_the_new_secret_verifies(oms: Scenario) -> None:
    shipment_id = _rotate(oms)

    oms.advance((ROTATION_OVERLAP + timedelta(minutes=1)).total_seconds())
    old = oms.track("main-warehouse", shipment_id, "ACCEPTED")
    new = oms.track("main-warehouse", shipment_id, "ACCEPTED", secret=NEW_SECRET)

    assert (old.status, old.error_code) == (401, "invalid_signature")
    assert new.status == 202


def test_the_same_secret_put_again_is_no_rotation(oms: Scenario) -> None:
    shipment_id = _rotate(oms)
    partner = next(p for p in oms.seed["partners"] if p["id"] == "main-warehouse")
    _put(oms, "/partners/main-warehouse", {**partner, "name": "Own warehouse, renamed", "secret": NEW_SECRET})

    old = oms.track("main-warehouse", shipment_id, "ACCEPTED")

    assert old.status == 202
    assert oms.request("GET", "/partners/main-warehouse", key="admin").json["name"] == "Own warehouse, renamed"
