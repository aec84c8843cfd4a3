"""The admin API over HTTP: only the admin key opens it, stock received and counted, `oms seed` into the
running stack. Each test names its own SKUs and partners: the stack is shared by the tier."""

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, Client
from tests.e2e.test_order_story import _order


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _stocked(client: Client, on_hand: int = 5) -> str:
    """A new product with `on_hand` units at the own warehouse."""
    sku = _name("MUG").upper()
    assert client.call("PUT", f"/products/{sku}", {"sku": sku, "name": "Mug"}, key="admin").status == 200
    counted = {"sku": sku, "location": "main-warehouse", "on_hand": on_hand}
    assert client.call("POST", "/inventory/adjustments", counted, key="admin").status == 200
    return sku


def _balanced(inventory: dict[str, Any]) -> None:
    for stock in inventory["locations"]:
        assert stock["on_hand"] == stock["available"] + stock["reserved"], stock


def _ordered(client: Client, sku: str, quantity: int) -> dict[str, Any]:
    answer = client.call("POST", "/orders", _order(lines=[{"sku": sku, "quantity": quantity}]))
    assert answer.status == 202, answer.body
    client.settle()
    return dict(client.call("GET", f"/orders/{answer.json['order_id']}").json)


def test_the_storefront_key_cannot_open_an_admin_route(oms_local: Client) -> None:
    sku = _stocked(oms_local)
    receipt = {"sku": sku, "location": "main-warehouse", "quantity": 3}

    refused = oms_local.call("POST", "/inventory/receipts", receipt, key="storefront")
    read = oms_local.call("GET", f"/inventory/{sku}", key="storefront")

    assert (refused.status, refused.error_code) == (403, "forbidden")
    assert (read.status, read.error_code) == (403, "forbidden")
    assert oms_local.call("GET", f"/inventory/{sku}", key="admin").json["locations"][0]["on_hand"] == 5


def test_a_receipt_retried_with_its_idempotency_key_adds_once(oms_local: Client) -> None:
    sku = _stocked(oms_local)
    _ordered(oms_local, sku, 2)
    receipt = {"sku": sku, "location": "main-warehouse", "quantity": 4}
    key = {"Idempotency-Key": _name("receipt")}

    first = oms_local.call("POST", "/inventory/receipts", receipt, key="admin", headers=key)
    again = oms_local.call("POST", "/inventory/receipts", receipt, key="admin", headers=key)

    assert (first.status, again.status) == (200, 200)
    inventory = oms_local.call("GET", f"/inventory/{sku}", key="admin").json
    assert inventory["locations"] == [{"location": "main-warehouse", "on_hand": 9, "reserved": 2, "available": 7}]
    assert first.json == again.json == inventory
    _balanced(inventory)


def test_a_stocktake_below_what_is_reserved_is_refused(oms_local: Client) -> None:
    sku = _stocked(oms_local)
    _ordered(oms_local, sku, 3)

    refused = oms_local.call(
        "POST", "/inventory/adjustments", {"sku": sku, "location": "main-warehouse", "on_hand": 2}, key="admin"
    )

    assert (refused.status, refused.error_code) == (409, "below_reserved")
    inventory = oms_local.call("GET", f"/inventory/{sku}", key="admin").json
    assert inventory["locations"] == [{"location": "main-warehouse", "on_hand": 5, "reserved": 3, "available": 2}]
    _balanced(inventory)


def test_oms_seed_loads_a_seed_that_orders_are_allocated_from(oms_local: Client, tmp_path: Path) -> None:
    partner, sku = _name("north-3pl"), _name("LAMP").upper()
    seed = {
        "partners": [{"id": partner, "kind": "THIRD_PARTY", "name": "North Fulfilment",
                      "email": "ops@north.example", "secret": "north-secret-0123456789"}],
        "products": [{"sku": sku, "name": "Desk lamp"}],
        "inventory": [{"sku": sku, "location": partner, "on_hand": 6}],
    }  # fmt: skip
    (tmp_path / "seed.json").write_text(json.dumps(seed))

    done = subprocess.run(
        [sys.executable, "-m", "local.cli", "seed", "--url", oms_local.url, "--admin-key",
         oms_local.keys["admin"], str(tmp_path / "seed.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert oms_local.call("GET", f"/partners/{partner}", key="admin").json["kind"] == "THIRD_PARTY"
    assert oms_local.call("GET", f"/inventory/{sku}", key="admin").json == {
        "sku": sku,
        "locations": [{"location": partner, "on_hand": 6, "reserved": 0, "available": 6}],
        "backordered": 0,
    }
    order = _ordered(oms_local, sku, 2)
    assert [(s["partner_id"], s["lines"]) for s in order["shipments"]] == [(partner, [{"sku": sku, "quantity": 2}])]
    inventory = oms_local.call("GET", f"/inventory/{sku}", key="admin").json
    assert inventory["locations"] == [{"location": partner, "on_hand": 6, "reserved": 2, "available": 4}]


def test_oms_seed_refuses_a_file_that_is_not_a_seed(oms_local: Client, tmp_path: Path) -> None:
    (tmp_path / "seed.json").write_text(json.dumps({"products": [{"name": "no sku"}]}))

    done = subprocess.run(
        [sys.executable, "-m", "local.cli", "seed", "--url", oms_local.url, "--admin-key", "k",
         str(tmp_path / "seed.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode == 2
    assert "not a seed file" in done.stderr
