"""`answer_item_results_as_json`: DynamoDB's item results written as JSON directly are what moto's own
serializer writes, for every attribute type and every operation that answers items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local import moto_fixes
from local.moto_fixes.dynamodb import answer_item_results_as_json

EVERY_TYPE = {
    "PK": {"S": "ITEM#1"},
    "SK": {"S": "A"},
    "text": {"S": 'zoë ✓ "quoted"'},
    "number": {"N": "-12.50"},
    "blob": {"B": b"\x00\x01binary\xff"},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "texts": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"\x01", b"\x02"]},
    "list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"L": [{"BOOL": True}]}}}]},
    "map": {"M": {"empty": {"L": []}, "inner": {"M": {}}, "b": {"B": b"\x03"}}},
}
KEY = {"PK": {"S": "ITEM#1"}, "SK": {"S": "A"}}
TABLE = "Items"


@pytest.fixture
def client() -> Iterator[Any]:
    moto_fixes.apply_all()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
        )
        dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE)
        dynamodb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "SK": {"S": "B"}})
        yield dynamodb


CALLS: dict[str, Callable[[Any], Any]] = {
    "get_item": lambda c: c.get_item(TableName=TABLE, Key=KEY, ConsistentRead=True),
    "get_item_missing": lambda c: c.get_item(TableName=TABLE, Key={**KEY, "SK": {"S": "none"}}),
    "query": lambda c: c.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "ITEM#1"}},
        ReturnConsumedCapacity="TOTAL",
    ),
    "query_page": lambda c: c.query(
        TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": "ITEM#1"}}, Limit=1
    ),
    "query_count": lambda c: c.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "ITEM#1"}},
        Select="COUNT",
    ),
    "scan_projected": lambda c: c.scan(
        TableName=TABLE, ProjectionExpression="PK, #b, #m.b", ExpressionAttributeNames={"#m": "map", "#b": "blob"}
    ),
    "update_item": lambda c: c.update_item(
        TableName=TABLE,
        Key=KEY,
        UpdateExpression="SET #n = #n + :one",
        ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_OLD",
    ),
    "put_item": lambda c: c.put_item(TableName=TABLE, Item={**EVERY_TYPE, "SK": {"S": "C"}}, ReturnValues="ALL_OLD"),
    "delete_item": lambda c: c.delete_item(TableName=TABLE, Key={**KEY, "SK": {"S": "B"}}, ReturnValues="ALL_OLD"),
    "batch_get_item": lambda c: c.batch_get_item(RequestItems={TABLE: {"Keys": [KEY]}}),
    "transact_get_items": lambda c: c.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": KEY}}]),
    "describe_table": lambda c: c.describe_table(TableName=TABLE),
}


def _reset(client: Any) -> None:
    """The table as the fixture left it: the writes of the first answer undone."""
    client.put_item(TableName=TABLE, Item=EVERY_TYPE)
    client.put_item(TableName=TABLE, Item={**EVERY_TYPE, "SK": {"S": "B"}})
    client.delete_item(TableName=TABLE, Key={**KEY, "SK": {"S": "C"}})


def _answer(client: Any, call: Callable[[Any], Any]) -> Any:
    answer = call(client)
    answer.pop("ResponseMetadata")
    return answer


@pytest.mark.parametrize("operation", CALLS)
def test_an_item_result_written_directly_is_what_motos_serializer_writes(client: Any, operation: str) -> None:
    direct = _answer(client, CALLS[operation])
    _reset(client)
    moto_fixes.undo(answer_item_results_as_json)
    try:
        serialized = _answer(client, CALLS[operation])
    finally:
        answer_item_results_as_json()

    assert direct == serialized
