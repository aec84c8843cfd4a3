"""Every email wears the merchant's brand, renders in common mail clients and reads as plain text too."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest
from pydantic import ValidationError

from oms.branding import Brand, brand_of
from oms.notifications.catalogue import CUSTOMER_KINDS, PARTNER_KINDS, EmailKind, render
from oms.settings import MerchantSettings
from tests.unit.test_catalogue import CONTEXT

BRAND = Brand(
    shop_name="Lovelace & Co",
    logo_url="https://cdn.shop.example/logo.png",
    accent_color="#0a7c5a",
    contact_email="help@shop.example",
)
HOSTILE = Brand(shop_name="<script>alert(1)</script>", logo_url='https://x.example/"><script>', accent_color="#ffcc00")
# A tracking id of 60 characters, with nothing to wrap at.
LONG_ID = "X" * 60


def _hrefs(markup: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', markup)]


def _widths(markup: str) -> list[tuple[str, int]]:
    """Every width a style or attribute fixes in pixels: (property, px)."""
    styled = re.findall(r"(?<![-\w])((?:max-|min-)?width)\s*:\s*(\d+)px", markup)
    attributes = re.findall(r'\swidth="(\d+)"', markup)
    return [(name, int(px)) for name, px in styled] + [("width", int(px)) for px in attributes]


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_kind_carries_the_shops_name_logo_colour_and_contact(kind):
    email = render(kind, CONTEXT, BRAND)

    assert 'src="https://cdn.shop.example/logo.png" alt="Lovelace &amp; Co"' in email.html
    assert "#0a7c5a" in email.html
    assert 'href="mailto:help@shop.example"' in email.html
    assert email.text.startswith("Lovelace & Co\n")
    assert "help@shop.example" in email.text and "You are receiving this email because" in email.text


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_kind_is_tables_and_inline_styles_within_600px_and_375px(kind):
    email = render(kind, CONTEXT, BRAND)

    assert "<style" not in email.html and "class=" not in email.html
    assert 'role="presentation"' in email.html and "max-width: 600px" in email.html
    for name, px in _widths(email.html):
        assert px <= 600, (name, px)
        assert name == "max-width" or px <= 375, (name, px)


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_link_of_the_html_is_in_the_text_part_and_every_image_has_alt_text(kind):
    email = render(kind, CONTEXT, BRAND)

    for href in _hrefs(email.html):
        assert href.removeprefix("mailto:") in email.text, href
    for image in re.findall(r"<img\b[^>]*>", email.html):
        assert re.search(r'\balt="[^"]+"', image), image


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_kind_escapes_a_hostile_shop_name_and_logo(kind):
    email = render(kind, replace(CONTEXT, customer_name="<script>x</script>"), HOSTILE)

    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html


@pytest.mark.parametrize("kind", sorted(CUSTOMER_KINDS))
def test_long_order_numbers_wrap_instead_of_widening_the_email(kind):
    email = render(kind, replace(CONTEXT, external_ref=LONG_ID), BRAND)

    assert LONG_ID in email.html
    assert "overflow-wrap: anywhere" in email.html and "word-break: break-word" in email.html


@pytest.mark.parametrize(
    ("kind", "url", "label"),
    [
        (EmailKind.SHIPMENT_SHIPPED, CONTEXT.shipment.tracking_url, "Track your parcel"),  # type: ignore[union-attr]
        (EmailKind.FEEDBACK_REQUEST, CONTEXT.feedback_url, "Rate your order"),
    ],
)
def test_the_call_to_action_is_an_accent_coloured_button(kind, url, label):
    email = render(kind, CONTEXT, BRAND)

    button = re.search(r'<td align="center" bgcolor="([^"]+)"[^>]*><a href="([^"]+)"[^>]*>([^<]+)</a>', email.html)
    assert button and button.groups() == ("#0a7c5a", url, label)
    assert f"{label}: {url}" in email.text


def test_a_light_accent_takes_dark_button_text_and_a_dark_one_white():
    assert (Brand(accent_color="#ffcc00").on_accent, Brand(accent_color="#0a2540").on_accent) == ("#111111", "#ffffff")


def test_without_a_logo_the_header_names_the_shop_and_has_no_image():
    email = render(EmailKind.ORDER_CONFIRMED, CONTEXT, replace(BRAND, logo_url=None))

    assert "<img" not in email.html and "Lovelace &amp; Co</span>" in email.html


@pytest.mark.parametrize("kind", sorted(PARTNER_KINDS))
def test_partners_are_told_they_get_it_as_the_shops_fulfiller(kind):
    assert "because you fulfil orders for Lovelace & Co" in render(kind, CONTEXT, BRAND).text


def test_the_brand_comes_from_the_settings_and_replies_go_to_the_sender_without_a_support_address():
    merchant = MerchantSettings(sender="Lovelace & Co <orders@shop.example>", shop_name="Lovelace & Co")

    assert brand_of(merchant) == Brand("Lovelace & Co", None, "#1f5f8b", "orders@shop.example")
    chosen = merchant.model_copy(update={"support_email": "help@shop.example"})
    assert brand_of(chosen).contact_email == "help@shop.example"


@pytest.mark.parametrize(
    "bad",
    [
        {"accent_color": "red"},
        {"accent_color": "#12345"},
        {"accent_color": "#123456; background:url(x)"},
        {"logo_url": "http://shop.example/logo.png"},
        {"logo_url": "javascript:alert(1)"},
        {"support_email": "not an address"},
        {"shop_name": ""},
        {"shop_name": "Shop\nBcc: x@evil.example"},
    ],
)
def test_branding_settings_are_validated(bad):
    with pytest.raises(ValidationError):
        MerchantSettings.model_validate(bad)
