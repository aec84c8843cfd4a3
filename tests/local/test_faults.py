"""The injected faults do what they say: which transactions they touch, when, and how."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import moto_fixes
from local.faults import before_transaction, cancelled_transactions, touching, transactions_seen


@pytest.fixture
def client():
    moto_fixes.apply_all()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="Items",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        )
        yield dynamodb


def _put(key: str) -> list[dict]:
    return [{"Put": {"TableName": "Items", "Item": {"PK": {"S": key}}}}]


def _write(client, key: str) -> str:
    try:
        client.transact_write_items(TransactItems=_put(key))
    except ClientError as error:
        return str(error.response["CancellationReasons"][0]["Code"])
    return "written"


def _stored(client) -> list[str]:
    return sorted(item["PK"]["S"] for item in client.scan(TableName="Items")["Items"])


def test_cancelled_transactions_let_the_first_matches_through_then_cancel_the_next(client):
    with cancelled_transactions(touching("A#"), "ThrottlingError", times=2, after=1) as fault:
        outcomes = [_write(client, key) for key in ("A#1", "B#1", "A#2", "A#3", "A#4")]

    assert outcomes == ["written", "written", "ThrottlingError", "ThrottlingError", "written"]
    assert (fault.passed, fault.injected) == (1, 2)
    assert _stored(client) == ["A#1", "A#4", "B#1"]


def test_a_writer_ahead_runs_once_just_before_the_matching_transaction_after_the_first_ones(client):
    order: list[str] = []

    def competitor() -> None:
        order.append(_write(client, "A#competitor"))

    with before_transaction(touching("A#"), competitor, after=1) as writer:
        for key in ("A#1", "B#1", "A#2", "A#3"):
            order.append(f"{key} {_write(client, key)}")

    assert order == ["A#1 written", "B#1 written", "written", "A#2 written", "A#3 written"]
    assert (writer.ran, writer.seen) == (True, 2)


def test_a_writer_ahead_that_is_never_due_never_runs(client):
    with before_transaction(touching("A#"), lambda: pytest.fail("ran"), after=5) as writer:
        _write(client, "A#1")

    assert (writer.ran, writer.seen) == (False, 1)


def test_transactions_seen_lists_what_reached_dynamodb_passed_or_refused(client):
    again = [{"Put": {**_put("A#1")[0]["Put"], "ConditionExpression": "attribute_not_exists(PK)"}}]
    with transactions_seen(touching("A#")) as seen:
        _write(client, "A#1")
        _write(client, "B#1")
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=again)

    assert [items[0]["Put"]["Item"]["PK"]["S"] for items in seen] == ["A#1", "A#1"]
