"""The chaos test: a hundred orders of every kind told once cleanly and once while a tenth of AWS calls fail
and every Lambda runs twice end the same: statuses, line counters, emails (none twice), stock and its
ledger, which adds up to every location's count in both."""

from __future__ import annotations

from typing import Any

import pytest

from local.chaos import chaos
from tests.chaos_story import Ending, Shop, ending, story_seed, tell, unexplained
from tests.ledger import assert_ledger_balanced
from tests.scenario import scenario

ORDERS = 100


def _told(template: dict[str, Any], rate: float = 0.0, twice: bool = False) -> tuple[Ending, Any]:
    with scenario(template, story_seed(), executions=True) as oms:
        shop = Shop(oms)
        with chaos(rate=rate, seed=11, twice=twice) as report:
            tell(shop, ORDERS)
        oms.settle()
        assert_ledger_balanced(oms.stack)
        return ending(shop), report


@pytest.mark.xdist_group("chaos")
def test_a_hundred_orders_end_the_same_under_faults_and_duplicate_deliveries(template: dict[str, Any]) -> None:
    clean, _ = _told(template)
    chaotic, report = _told(template, rate=0.1, twice=True)

    assert report.faults and report.duplicates
    assert chaotic.statuses == clean.statuses
    assert chaotic.lines == clean.lines
    assert chaotic.emails == clean.emails
    assert max(clean.emails.values()) == 1
    assert chaotic.stock == clean.stock
    assert chaotic.ledger == clean.ledger
    for run in (clean, chaotic):
        for sku, locations in run.stock.items():
            for location, counts in locations.items():
                if location != "backordered":
                    assert counts["on_hand"] == counts["available"] + counts["reserved"], (sku, location)
        assert {ref: why for ref, order in run.orders.items() if (why := unexplained(order))} == {}
    assert set(clean.statuses.values()) >= {"DELIVERED", "CANCELLED", "SHIPPED", "PARTIALLY_SHIPPED", "BACKORDERED"}
