"""What every location's stock and its ledger must say whatever happened to them: a check any tier can end with.

At every stock item `on_hand = available + reserved`, and `on_hand` is the sum of the deltas of the
location's movements, each movement recorded once and filed in the location's ledger index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from oms.repository.dynamo import from_item


class Stack(Protocol):
    """The local stack (`tests.scenario.Scenario.stack`): its clients and the functions' environment."""

    env: dict[str, str]

    def client(self, service: str) -> Any: ...


def assert_ledger_balanced(stack: Stack, skus: Iterable[str] | None = None) -> None:
    """On every stock item of `skus` (None: of every SKU), `on_hand` is the sum of its movements' deltas and
    `available + reserved`."""
    assert_balanced(stack.client("dynamodb"), stack.env["INVENTORY_TABLE"], skus)


def assert_balanced(dynamodb: Any, table: str, skus: Iterable[str] | None = None) -> None:
    """`assert_ledger_balanced` through any DynamoDB client (the end-to-end tier's is the server's endpoint)."""
    items = list(_items(dynamodb, table, skus))
    moved: dict[tuple[str, str], int] = defaultdict(int)
    for movement in (item for item in items if item["SK"].startswith("MOVE#")):
        assert movement["LEDGERPK"] == f"LEDGER#{movement['sku']}#{movement['location']}", movement
        assert movement["LEDGERSK"] == f"{movement['at']}#{movement['movement_id']}", movement
        moved[(movement["sku"], movement["location"])] += int(movement["delta"])
    stock = {(item["sku"], item["location"]): item for item in items if item["SK"].startswith("LOC#")}
    assert stock, "no stock to check"
    for (sku, location), item in stock.items():
        on_hand, reserved, available = (int(item[name]) for name in ("on_hand", "reserved", "available"))
        assert on_hand == available + reserved, (sku, location, item)
        assert on_hand == moved[(sku, location)], (sku, location, on_hand, moved[(sku, location)])
    assert set(moved) <= set(stock), set(moved) - set(stock)


def movements(stack: Stack, sku: str, location: str) -> list[dict[str, Any]]:
    """A location's movements of `sku` as stored, oldest first."""
    return ledgers(stack, [sku]).get((sku, location), [])


def ledgers(stack: Stack, skus: Iterable[str] | None = None) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every location's movements of `skus` (None: of every SKU), oldest first, by (sku, location)."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in _items(stack.client("dynamodb"), stack.env["INVENTORY_TABLE"], skus):
        if item["SK"].startswith("MOVE#"):
            found[(item["sku"], item["location"])].append(item)
    return {place: sorted(moved, key=lambda item: item["LEDGERSK"]) for place, moved in found.items()}


def _items(dynamodb: Any, table: str, skus: Iterable[str] | None) -> Iterator[dict[str, Any]]:
    if skus is None:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    else:
        pages = (
            page
            for sku in skus
            for page in dynamodb.get_paginator("query").paginate(
                TableName=table,
                ConsistentRead=True,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": f"SKU#{sku}"}},
            )
        )
    for page in pages:
        for item in page["Items"]:
            yield from_item(item)
