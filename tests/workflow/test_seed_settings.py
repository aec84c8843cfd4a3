"""A seed's settings reach every function; what a seed leaves out takes the contract's defaults."""

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from local.seed import read_seed
from tests.scenario import DAY, DEFAULT_SEED, Scenario, feedback_fired, scenario


@pytest.fixture
def quick_feedback(template: dict[str, Any]) -> Iterator[Scenario]:
    seed = copy.deepcopy(DEFAULT_SEED)
    seed["settings"] = {
        "feedback_delay_days": 2,
        "sender": "hello@shop.example",
        "shop_name": "Lovelace & Co",
        "accent_color": "#0a7c5a",
        "logo_url": "https://cdn.shop.example/logo.png",
    }
    with scenario(template, seed) as running:
        yield running


def test_a_seed_without_keys_or_settings_takes_the_contracts_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "seed.json"
    path.write_text('{"partners": [], "products": [], "inventory": []}')

    seed = read_seed(path)

    assert seed["api_keys"] == {"storefront": "local-storefront-key", "admin": "local-admin-key"}
    assert seed["settings"]["feedback_delay_days_international"] == 14
    assert seed["settings"]["merchant_country"] == "GB"


def test_the_seeds_delay_and_sender_are_the_functions_own(quick_feedback: Scenario) -> None:
    order = quick_feedback.placed()
    shipment_id = order["shipments"][0]["shipment_id"]
    for status in ("SHIPPED", "DELIVERED"):
        quick_feedback.track("main-warehouse", shipment_id, status)

    fired = feedback_fired(quick_feedback.advance(2 * DAY + 60))

    assert fired == [f"feedback-{order['order_id']}"]
    assert {e["from"] for e in quick_feedback.emails()} == {"hello@shop.example"}
    [request] = quick_feedback.emails("feedback_request", order["order_id"])
    assert 'alt="Lovelace &amp; Co"' in request["html"] and 'bgcolor="#0a7c5a"' in request["html"]
    assert request["text"].startswith("Lovelace & Co\n") and "hello@shop.example" in request["text"]
    link = re.search(r"/feedback/\S+", request["text"])
    assert link
    page = quick_feedback.request("GET", link.group(0), key=None).body.decode()
    assert "--accent:#0a7c5a" in page and page.count('name="rating"') == 5
