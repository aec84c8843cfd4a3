"""What the stock of SKUs must look like over HTTP whatever happened to them: a check any test can end with."""

from __future__ import annotations

from collections.abc import Iterable

from tests.e2e.conftest import Client


def assert_stock_balanced(client: Client, skus: Iterable[str]) -> None:
    """`on_hand = available + reserved` at every location of every SKU, as `GET /inventory/{sku}` shows it."""
    for sku in skus:
        reply = client.call("GET", f"/inventory/{sku}", key="admin")
        assert reply.status == 200, reply.body
        for stock in reply.json["locations"]:
            assert stock["on_hand"] == stock["available"] + stock["reserved"], (sku, stock)
