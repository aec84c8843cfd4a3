"""An index query no longer sorts the whole table first (`query_one_partition`): same answers, a fraction
of the key comparisons."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from local import moto_fixes
from local.moto_fixes import query_one_partition


def _orders_table() -> Any:
    client = boto3.client("dynamodb", region_name="us-east-1")
    attributes = ("PK", "SK", "GSI2PK", "GSI2SK")
    client.create_table(
        TableName="Orders",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in attributes],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI2",
                "KeySchema": [
                    {"AttributeName": "GSI2PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI2SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for order in range(150):
        status = ("SHIPPED", "PLACED", "DELIVERED")[order % 3]
        # Two orders share a created_at: the table's keys break the tie.
        header = {"GSI2PK": {"S": f"ORDERS#{status}"}, "GSI2SK": {"S": f"2026-11-{order // 2:03d}"}}
        client.put_item(TableName="Orders", Item={"PK": {"S": f"ORDER#{order:03d}"}, "SK": {"S": "ORDER"}, **header})
        for part in ("EVENT#1", "EVENT#2", "SHIPMENT#1"):
            client.put_item(TableName="Orders", Item={"PK": {"S": f"ORDER#{order:03d}"}, "SK": {"S": part}})
    return client


def _pages(client: Any) -> list[Any]:
    query = {
        "TableName": "Orders",
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :p",
        "ExpressionAttributeValues": {":p": {"S": "ORDERS#PLACED"}},
        "ScanIndexForward": False,
        "Limit": 20,
    }
    first = client.query(**query)
    second = client.query(**query, ExclusiveStartKey=first["LastEvaluatedKey"])
    return [first["Items"], first["LastEvaluatedKey"], second["Items"]]


def _answers_and_comparisons(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    with mock_aws():
        client = _orders_table()
        compared = []
        real_lt = DynamoType.__lt__
        with monkeypatch.context() as counting:
            counting.setattr(DynamoType, "__lt__", lambda a, b: compared.append(1) or real_lt(a, b))
            answers = _pages(client)
    return answers, len(compared)


def test_an_index_query_answers_as_moto_does_without_sorting_the_table_first(monkeypatch):
    moto_fixes.apply_all()
    fixed, fixed_comparisons = _answers_and_comparisons(monkeypatch)
    moto_fixes.undo(query_one_partition)
    try:
        unfixed, unfixed_comparisons = _answers_and_comparisons(monkeypatch)
    finally:
        moto_fixes.apply_all()

    assert fixed == unfixed
    assert [item["PK"]["S"] for item in fixed[0][:2]] == ["ORDER#148", "ORDER#145"]
    assert fixed_comparisons * 5 < unfixed_comparisons, (fixed_comparisons, unfixed_comparisons)
