"""The feedback page: five stars that work without JavaScript, the order number whole, the shop's brand."""

from __future__ import annotations

import re

from feedback.page import rating_page, thank_you_page

from oms.branding import Brand

BRAND = Brand(
    shop_name="Lovelace & Co",
    logo_url="https://cdn.shop.example/logo.png",
    accent_color="#0a7c5a",
    contact_email="help@shop.example",
)


def test_the_rating_is_five_labelled_star_inputs_and_a_comment_box():
    page = rating_page("SHOP-10023", "Ada", False, BRAND)

    inputs = re.findall(r'<input type="radio" id="(rating-\d)" name="rating" value="(\d)"', page)
    assert sorted(value for _, value in inputs) == ["1", "2", "3", "4", "5"]
    for input_id, value in inputs:
        label = re.search(rf'<label for="{input_id}"[^>]*><span class="sr">([^<]+)</span>', page)
        assert label and label.group(1).startswith(f"{value} star")
    assert '<textarea id="comment" name="comment"' in page and '<label for="comment">' in page
    assert '<form method="post">' in page


def test_the_page_runs_no_script():
    page = rating_page("SHOP-10023", "Ada", False, BRAND)

    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    assert not re.search(r"\son[a-z]+=", page)


def test_the_heading_keeps_the_order_number_whole():
    page = rating_page("SHOP-10023", "Ada", False, BRAND)

    assert '<h1>How was your order <span class="ref">SHOP-10023</span>?</h1>' in page
    assert ".ref{display:inline-block;" in page


def test_the_page_wears_the_shops_brand():
    page = rating_page("SHOP-10023", "Ada", False, BRAND)

    assert '<img src="https://cdn.shop.example/logo.png" alt="Lovelace &amp; Co">' in page
    assert "--accent:#0a7c5a" in page and 'href="mailto:help@shop.example"' in page
    assert "<title>How was your order? · Lovelace &amp; Co</title>" in page


def test_hostile_values_are_escaped_on_the_page():
    hostile = Brand(shop_name="<script>x</script>")
    page = rating_page("<script>ref</script>", "<img src=x onerror=1>", False, hostile)

    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;ref&lt;/script&gt;" in page


def test_an_order_already_rated_gets_a_branded_thank_you_without_a_form():
    page = rating_page("SHOP-10023", "Ada", True, BRAND)

    assert "<form" not in page and "already told us" in page and "Lovelace &amp; Co" in page
    assert "Lovelace &amp; Co" in thank_you_page("Thank you!", "Noted.", BRAND)
