"""A shipment of more lines than one transaction holds: its stock moves once, exactly, with each line's
movement in the stock ledger, even when the call that moves it stops half way."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from local.faults import before_transaction, cancelled_transactions, conditioned_on, transactions_seen
from oms import clock
from oms.repository import counts, inventory
from oms.repository.dynamo import RETRY_ATTEMPTS
from oms.repository.ledger import Cause
from oms.repository.rounds import TRANSACTION_LIMIT
from tests.ledger import assert_ledger_balanced, ledgers
from tests.scenario import DEFAULT_SEED, Scenario, scenario

SKUS = [f"BIG-{n:03d}" for n in range(100)]


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    seed = copy.deepcopy(DEFAULT_SEED)
    seed["products"] += [{"sku": sku, "name": sku} for sku in SKUS]
    seed["inventory"] += [{"sku": sku, "location": "main-warehouse", "on_hand": 3} for sku in SKUS]
    with scenario(template, seed, executions=False) as handlers:
        yield handlers


def _counts(skus: list[str]) -> set[tuple[int, int, int]]:
    stock = inventory.stock(skus)
    return {(c["on_hand"], c["reserved"], c["available"]) for sku in skus for c in stock[sku].values()}


def _big_order(oms: Scenario) -> dict[str, Any]:
    order = oms.placed(lines=[{"sku": sku, "quantity": 2} for sku in SKUS])
    assert _counts(SKUS) == {(3, 2, 1)}
    return order


def _recorded(oms: Scenario, kind: str, skus: list[str] = SKUS) -> dict[str, list[int]]:
    """Each SKU's movements of `kind` at the main warehouse: their deltas."""
    found = ledgers(oms.stack)
    return {sku: [int(m["delta"]) for m in found[(sku, "main-warehouse")] if m["kind"] == kind] for sku in skus}


def test_shipping_a_hundred_lines_moves_every_units_stock_once(oms: Scenario) -> None:
    order = _big_order(oms)
    skus = SKUS

    with transactions_seen() as seen:
        assert oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "SHIPPED").status == 202

    assert _counts(skus) == {(1, 0, 1)}
    assert oms.order(order["order_id"])["status"] == "SHIPPED"
    assert _recorded(oms, "shipment") == {sku: [-2] for sku in SKUS}
    assert len(seen) > 1 and max(len(items) for items in seen) <= TRANSACTION_LIMIT
    assert_ledger_balanced(oms.stack)


def test_a_ship_whose_stock_moves_stop_half_way_is_finished_by_the_partners_retry(oms: Scenario) -> None:
    order = _big_order(oms)
    skus = SKUS
    shipment_id = order["shipments"][0]["shipment_id"]

    with cancelled_transactions(conditioned_on("stock_done"), times=RETRY_ATTEMPTS + 1):
        first = oms.track("main-warehouse", shipment_id, "SHIPPED", event_id="evt-ship")

    assert first.status == 503  # the partner is told to send it again
    assert oms.order(order["order_id"])["shipments"][0]["status"] == "SHIPPED"

    again = oms.track("main-warehouse", shipment_id, "SHIPPED", event_id="evt-ship")

    assert again.status == 200 and again.json == {"applied": False}
    assert _counts(skus) == {(1, 0, 1)}
    assert len(oms.emails("shipment_shipped", order["order_id"])) == 1
    assert _recorded(oms, "shipment") == {sku: [-2] for sku in SKUS}
    assert_ledger_balanced(oms.stack)


def test_a_long_out_of_stock_rejection_corrects_each_location_once(oms: Scenario) -> None:
    skus = SKUS[:60]  # 48 lines beside the event's own writes, 12 in a chunk after
    order = oms.placed(lines=[{"sku": sku, "quantity": 2} for sku in skus])
    shipment_id = order["shipments"][0]["shipment_id"]

    # A receipt arrives between the read and the write of the chunk applied after the first transaction.
    def receipt() -> None:
        counts.receive(skus[-1], "main-warehouse", 5, Cause("request#late", clock.iso(), {"request_id": "late"}))

    with before_transaction(conditioned_on("stock_done"), receipt) as writer:
        reply = oms.track("main-warehouse", shipment_id, "REJECTED", reason="out_of_stock")

    assert writer.ran and reply.status == 202
    assert _counts(skus) == {(0, 0, 0)}
    assert _recorded(oms, "out_of_stock", skus) == {**{sku: [-3] for sku in skus[:-1]}, skus[-1]: [-8]}
    assert_ledger_balanced(oms.stack)
