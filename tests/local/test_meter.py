"""The meter's DynamoDB units follow the on-demand billing rules, from item sizes."""

from __future__ import annotations

from local.meter import dynamodb_units, item_size


def _item(size: int) -> dict[str, dict[str, str]]:
    """An item of exactly `size` bytes: one attribute named `a` holding a string."""
    return {"a": {"S": "x" * (size - 1)}}


def test_an_item_is_sized_by_its_names_and_values() -> None:
    item = {"PK": {"S": "ORDER#1"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}

    assert item_size(item) == (2 + 7) + (1 + 4) + (2 + 1)


def test_a_consistent_read_is_one_unit_per_4_kb_and_an_eventual_one_half() -> None:
    found = {"Item": _item(4097)}

    assert dynamodb_units("GetItem", {"ConsistentRead": True}, found) == (2.0, 0.0)
    assert dynamodb_units("GetItem", {}, found) == (1.0, 0.0)
    assert dynamodb_units("GetItem", {"ConsistentRead": True}, {}) == (1.0, 0.0)


def test_a_query_rounds_the_items_it_returned_up_once() -> None:
    page = {"Items": [_item(1500), _item(1500), _item(1500)]}

    assert dynamodb_units("Query", {"ConsistentRead": True}, page) == (2.0, 0.0)
    assert dynamodb_units("Query", {"ConsistentRead": True, "IndexName": "GSI1"}, page) == (1.0, 0.0)


def test_a_write_is_one_unit_per_kb_and_a_transaction_counts_each_item_twice() -> None:
    put = {"TableName": "NoSuchTable", "Item": _item(1025)}

    assert dynamodb_units("PutItem", put, {}) == (0.0, 2)
    transaction = {"TransactItems": [{"Put": put}, {"Put": {"TableName": "NoSuchTable", "Item": _item(10)}}]}
    assert dynamodb_units("TransactWriteItems", transaction, {}) == (0.0, 6.0)
