"""What the stock of SKUs must look like over HTTP whatever happened to them: a check any test can end with."""

from __future__ import annotations

from collections.abc import Iterable

from tests.e2e.conftest import Client
from tests.ledger import assert_balanced

# The Inventory table's name on the local stack: an unnamed table is named by its logical id.
INVENTORY_TABLE = "InventoryTable"


def assert_stock_balanced(client: Client, skus: Iterable[str]) -> None:
    """`on_hand = available + reserved` at every location of every SKU, as `GET /inventory/{sku}` shows it,
    and `on_hand` the sum of the location's movements in its stock ledger."""
    skus = list(skus)
    for sku in skus:
        reply = client.call("GET", f"/inventory/{sku}", key="admin")
        assert reply.status == 200, reply.body
        for stock in reply.json["locations"]:
            assert stock["on_hand"] == stock["available"] + stock["reserved"], (sku, stock)
    assert_ledger_balanced(client, skus)


def assert_ledger_balanced(client: Client, skus: Iterable[str]) -> None:
    """`tests.ledger.assert_ledger_balanced` through the stack's AWS endpoint, for `skus`."""
    assert_balanced(client.aws("dynamodb"), INVENTORY_TABLE, skus)
