"""The email catalogue: every kind renders, says what its reader needs, and escapes every value."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from oms.notifications.catalogue import (
    CUSTOMER_KINDS,
    PARTNER_KINDS,
    EmailAddress,
    EmailContext,
    EmailKind,
    EmailLine,
    EmailShipment,
    render,
)

TEE = EmailLine("TEE-RED-M", "Red tee, M", 2)
DESK = EmailLine("DESK-OAK", "Oak desk", 1)
ADDRESS = EmailAddress("Ada Lovelace", "12 St James's Sq", None, "London", None, "SW1Y 4JH", "GB")
SHIPMENT = EmailShipment(
    shipment_id="ord-123-S1",
    partner_name="East Fulfilment",
    kind="THIRD_PARTY",
    lines=(TEE,),
    carrier="UPS",
    tracking_number="1Z999AA10123456784",
    tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
    exception_reason="Weather delay",
)
CONTEXT = EmailContext(
    order_id="ord-123",
    external_ref="SHOP-10023",
    customer_name="Ada Lovelace",
    shipping_address=ADDRESS,
    lines=(TEE, DESK),
    shipment=SHIPMENT,
    feedback_url="https://shop.example/feedback/tok123",
)


def test_the_catalogue_has_the_contracts_eleven_kinds_and_units_cancelled():
    assert len(EmailKind) == 12
    assert set(EmailKind) == CUSTOMER_KINDS | PARTNER_KINDS
    assert EmailKind.UNITS_CANCELLED in CUSTOMER_KINDS


@pytest.mark.parametrize(
    ("reason", "says"),
    [("incorrect_address", "corrected address"), ("out_of_stock", "supplier can't provide")],
)
def test_units_cancelled_names_the_units_and_why(reason, says):
    email = render(EmailKind.UNITS_CANCELLED, replace(CONTEXT, shipment=replace(SHIPMENT, rejection_reason=reason)))
    assert says in email.text and "Red tee, M" in email.text
    assert email.subject == "Part of your order SHOP-10023 can't be sent"


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_kind_renders_a_subject_text_and_html_naming_the_order(kind):
    email = render(kind, CONTEXT)
    assert email.subject and email.text.strip() and email.html.strip()
    assert "SHOP-10023" in email.subject or "ord-123" in email.subject
    assert "SHOP-10023" in email.text and "SHOP-10023" in email.html


@pytest.mark.parametrize("kind", sorted(CUSTOMER_KINDS))
def test_customer_emails_escape_a_hostile_name_in_html(kind):
    email = render(kind, replace(CONTEXT, customer_name="<script>alert(1)</script>"))
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


@pytest.mark.parametrize("kind", sorted(PARTNER_KINDS))
def test_partner_emails_escape_hostile_addresses_and_items(kind):
    hostile = EmailLine("<b>SKU</b>", "<img src=x onerror=1>", 1)
    shipment = replace(SHIPMENT, lines=(hostile,))
    address = replace(ADDRESS, line1="<script>x</script>")
    email = render(kind, replace(CONTEXT, shipment=shipment, shipping_address=address))
    assert "<script>" not in email.html and "<img" not in email.html and "<b>" not in email.html


@pytest.mark.parametrize("kind", sorted(PARTNER_KINDS))
def test_partner_emails_list_items_quantities_address_and_the_shipment_to_quote(kind):
    email = render(kind, CONTEXT)
    for part in (email.text, email.html):
        assert "ord-123-S1" in part and "TEE-RED-M" in part and "Red tee, M" in part
        assert "12 St James" in part and "SW1Y 4JH" in part and "London" in part and "GB" in part
    assert "2 × TEE-RED-M" in email.text
    assert "East Fulfilment" in email.text


def test_the_feedback_request_links_to_the_feedback_page():
    email = render(EmailKind.FEEDBACK_REQUEST, CONTEXT)
    assert "https://shop.example/feedback/tok123" in email.text
    assert '<a href="https://shop.example/feedback/tok123"' in email.html


def test_a_feedback_request_without_a_link_is_refused():
    with pytest.raises(ValueError):
        render(EmailKind.FEEDBACK_REQUEST, replace(CONTEXT, feedback_url=None))


def test_the_shipped_email_gives_carrier_tracking_number_and_link():
    email = render(EmailKind.SHIPMENT_SHIPPED, CONTEXT)
    assert "UPS" in email.text and "1Z999AA10123456784" in email.text
    assert SHIPMENT.tracking_url in email.text
    assert f'<a href="{SHIPMENT.tracking_url}"' in email.html


def test_a_tracking_link_that_is_not_a_web_address_is_never_clickable():
    shipment = replace(SHIPMENT, tracking_url="javascript:alert(1)")
    email = render(EmailKind.SHIPMENT_SHIPPED, replace(CONTEXT, shipment=shipment))
    assert re.findall(r'<a href="([^"]*)"', email.html) == ["mailto:orders@merchant.example"]


def test_the_backorder_email_says_what_ships_now_and_what_waits():
    context = replace(CONTEXT, shipping_now=(DESK,), backordered=(TEE,))
    email = render(EmailKind.ORDER_BACKORDERED, context)
    shipping, waiting = email.text.split("Waiting for stock")
    assert "Shipping now" in shipping and "Oak desk" in shipping
    assert "2 × Red tee, M" in waiting


def test_the_backorder_email_says_nothing_ships_yet_when_the_whole_order_waits():
    email = render(EmailKind.ORDER_BACKORDERED, replace(CONTEXT, backordered=(TEE, DESK)))
    assert "Nothing can ship just yet" in email.text


def test_the_confirmation_lists_units_cancelled_as_unavailable():
    cancelled = EmailLine("TEE-RED-M", "Red tee, M", 1)
    context = replace(CONTEXT, shipping_now=(DESK, replace(TEE, quantity=1)), cancelled=(cancelled,))
    email = render(EmailKind.ORDER_CONFIRMED, context)
    assert "cancelled" in email.text and "1 × Red tee, M" in email.text.split("cancelled")[1]


def test_the_confirmation_without_cancellations_does_not_mention_them():
    assert "cancelled" not in render(EmailKind.ORDER_CONFIRMED, CONTEXT).text


def test_the_exception_email_gives_the_reason():
    assert "Weather delay" in render(EmailKind.SHIPMENT_EXCEPTION, CONTEXT).text


@pytest.mark.parametrize("kind", [EmailKind.SHIPMENT_SHIPPED, *sorted(PARTNER_KINDS)])
def test_shipment_emails_without_a_shipment_are_refused(kind):
    with pytest.raises(ValueError):
        render(kind, replace(CONTEXT, shipment=None))


def test_a_line_break_in_a_value_cannot_reach_the_subject_as_a_new_header():
    email = render(EmailKind.ORDER_CONFIRMED, replace(CONTEXT, external_ref="SHOP-1\r\nBcc: x@evil.example"))
    assert "\n" not in email.subject and "\r" not in email.subject
