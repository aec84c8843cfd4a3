"""The ops page follows an order from the storefront's POST to the partner's ship, without a reload."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Client
from tests.scenario import ORDER

pytestmark = pytest.mark.xdist_group("browser")


def _place(ops: Client, quantity: int = 1) -> str:
    order = {
        **ORDER,
        "external_ref": f"UI-{uuid.uuid4().hex[:10]}",
        "lines": [{"sku": "TEE-RED-M", "quantity": quantity}],
    }
    answer = ops.call("POST", "/orders", order)
    assert answer.status == 202, answer.body
    return str(answer.json["order_id"])


def _open(page: Any, ops: Client, route: str) -> None:
    page.goto(f"{ops.url}/_local/ui#{route}")
    # A mark on the window: a reload would wipe it, so its survival proves the page moved by itself.
    page.evaluate("window.notReloaded = true")


def test_an_order_placed_over_the_api_appears_waits_for_its_partner_and_ships_without_a_reload(page, ops):
    _open(page, ops, "/orders")
    order_id = _place(ops)

    row = page.locator(f'tr[data-order="{order_id}"]')
    expect(row).to_be_visible()
    row.get_by_role("link").click()
    expect(page.locator("h1 .badge")).to_have_text("PROCESSING")
    expect(page.locator('.machine .state.waiting[data-state="DispatchAndWait"]')).to_be_visible()
    expect(page.locator('.machine .edge.taken[data-edge="NotifyOutcome>DispatchAndWait"]')).to_have_count(1)
    expect(page.locator("#waiting-state")).to_have_text("Waiting in DispatchAndWait.")

    partner = page.context.new_page()
    _open(partner, ops, "/partners/main-warehouse")
    card = partner.locator(f'article.shipment[data-shipment="{order_id}-S1"]')
    card.get_by_label("Carrier").select_option("UPS")
    card.get_by_label("Tracking number").fill("1Z999AA10123456784")
    card.get_by_role("button", name="Ship").click()
    expect(card.get_by_role("status")).to_have_text("SHIPPED sent and applied.")

    expect(page.locator("h1 .badge")).to_have_text("SHIPPED")
    shipment = page.locator(f'article.shipment[data-shipment="{order_id}-S1"]')
    expect(shipment.get_by_role("link", name="Track the parcel")).to_have_attribute(
        "href", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )
    assert page.evaluate("window.notReloaded") is True


def test_the_list_filters_by_status_and_the_outbox_shows_an_orders_emails_in_a_sandbox(page, ops):
    order_id = _place(ops)
    ops.settle()
    _open(page, ops, "/orders")

    page.get_by_label("Status").select_option("PROCESSING")
    expect(page.locator(f'tr[data-order="{order_id}"]')).to_be_visible()
    page.get_by_label("Status").select_option("DELIVERED")
    expect(page.locator(f'tr[data-order="{order_id}"]')).to_have_count(0)

    page.get_by_role("link", name="Outbox").click()
    page.locator(".mail-list a", has_text=f"Fulfilment request {order_id}-S1").click()
    frame = page.locator("iframe.mail")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.mail").locator("body")).to_contain_text(f"{order_id}-S1")
    expect(page.locator("pre.text")).to_contain_text(f"{order_id}-S1")


def test_stock_received_on_the_inventory_page_goes_through_the_api(page, ops):
    before = ops.call("GET", "/inventory/TEE-RED-M", key="admin").json
    east = next(loc for loc in before["locations"] if loc["location"] == "east-3pl")
    _open(page, ops, "/inventory")

    page.get_by_label("SKU").select_option("TEE-RED-M")
    page.get_by_label("Location").select_option("east-3pl")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Receive").click()

    expect(page.get_by_role("status").filter(has_text="Received")).to_have_text("Received 3 × TEE-RED-M at east-3pl.")
    after = ops.call("GET", "/inventory/TEE-RED-M", key="admin").json
    assert next(loc for loc in after["locations"] if loc["location"] == "east-3pl")["on_hand"] == east["on_hand"] + 3
