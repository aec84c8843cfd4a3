"""Each moto fix, shown by a test that fails without it."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.stepfunctions.parser.asl.utils import json_path
from stack_fixtures import SENDER, instant_stack, stack  # noqa: F401 - the fixtures

from local import moto_fixes
from oms import clock as oms_clock


@pytest.fixture
def dynamodb_table():
    moto_fixes.apply_all()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="Stock",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        )
        client.put_item(TableName="Stock", Item={"PK": {"S": "SKU#A"}, "available": {"N": "100"}})
        yield client


def test_concurrent_conditional_decrements_never_oversell(dynamodb_table):
    start = threading.Barrier(8)

    def take_all() -> int:
        client = boto3.session.Session(region_name="us-east-1").client("dynamodb")
        start.wait()
        taken = 0
        for _ in range(40):
            try:
                client.update_item(
                    TableName="Stock",
                    Key={"PK": {"S": "SKU#A"}},
                    UpdateExpression="SET available = available - :one",
                    ConditionExpression="available >= :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                taken += 1
            except ClientError:
                pass
        return taken

    with ThreadPoolExecutor(8) as pool:
        taken = sum(pool.map(lambda _: take_all(), range(8)))
    item = dynamodb_table.get_item(TableName="Stock", Key={"PK": {"S": "SKU#A"}})["Item"]
    assert (taken, item["available"]["N"]) == (100, "0")


def test_a_failed_transaction_puts_back_only_what_it_touched(dynamodb_table):
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends["123456789012"]["us-east-1"].tables
    stock_table = tables["Stock"]
    for n in range(50):
        dynamodb_table.put_item(TableName="Stock", Item={"PK": {"S": f"SKU#{n}"}, "available": {"N": "1"}})

    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb_table.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "Stock", "Item": {"PK": {"S": "SKU#NEW"}, "available": {"N": "5"}}}},
                {
                    "Update": {
                        "TableName": "Stock",
                        "Key": {"PK": {"S": "SKU#A"}},
                        "UpdateExpression": "SET available = available - :q",
                        "ExpressionAttributeValues": {":q": {"N": "1"}},
                    }
                },
                {
                    "Update": {
                        "TableName": "Stock",
                        "Key": {"PK": {"S": "SKU#1"}},
                        "UpdateExpression": "SET available = available - :q",
                        "ConditionExpression": "available >= :q",
                        "ExpressionAttributeValues": {":q": {"N": "2"}},
                    }
                },
            ]
        )

    assert tables["Stock"] is stock_table, "the table was swapped for a whole-table backup"
    assert "Item" not in dynamodb_table.get_item(TableName="Stock", Key={"PK": {"S": "SKU#NEW"}})
    item = dynamodb_table.get_item(TableName="Stock", Key={"PK": {"S": "SKU#A"}})["Item"]
    assert item["available"]["N"] == "100"
    assert dynamodb_table.scan(TableName="Stock")["Count"] == 51


def test_a_query_on_the_table_key_reads_only_its_partition(monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    moto_fixes.apply_all()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="Orders",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
        )
        for order in range(100):
            for part in ("ORDER", "SHIPMENT#1", "EVENT#2"):
                client.put_item(TableName="Orders", Item={"PK": {"S": f"ORDER#{order}"}, "SK": {"S": part}})
        compared = []
        real_eq = DynamoType.__eq__
        monkeypatch.setattr(DynamoType, "__eq__", lambda a, b: compared.append(1) or real_eq(a, b))

        forward = client.query(
            TableName="Orders", KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": "ORDER#42"}}
        )["Items"]
        backward = client.query(
            TableName="Orders",
            KeyConditionExpression="PK = :pk",
            ScanIndexForward=False,
            ExpressionAttributeValues={":pk": {"S": "ORDER#42"}},
            Limit=2,
        )

    assert [i["SK"]["S"] for i in forward] == ["EVENT#2", "ORDER", "SHIPMENT#1"]
    assert [i["SK"]["S"] for i in backward["Items"]] == ["SHIPMENT#1", "ORDER"]
    assert backward["LastEvaluatedKey"]["SK"]["S"] == "ORDER"
    assert len(compared) < 100, "the query compared keys of other orders' items"


def _remind(stack, order_id: str) -> None:  # noqa: F811
    """Put a `Reminded` event for `order_id` on the bus, which the template's ReminderRule matches."""
    stack.client("events").put_events(
        Entries=[
            {
                "Source": "oms.test",
                "DetailType": "Reminded",
                "EventBusName": "OmsLocal-bus",
                "Detail": json.dumps({"order_id": order_id}),
            }
        ]
    )


def _recorded(stack, order_id: str) -> dict | None:  # noqa: F811
    """The event the rule's target recorded for `order_id`, if it ran."""
    key = {"PK": {"S": f"ORDER#{order_id}"}, "SK": {"S": "RECORDED"}}
    return stack.client("dynamodb").get_item(TableName="OrdersTable", Key=key).get("Item")


def test_rule_with_a_lambda_target_runs_the_function(stack):  # noqa: F811
    _remind(stack, "o7")
    stack.settle()
    delivered = json.loads(_recorded(stack, "o7")["event"]["S"])
    assert (delivered["detail-type"], delivered["detail"]) == ("Reminded", {"order_id": "o7"})
    assert delivered["time"].endswith("Z")


def test_a_disabled_rule_delivers_nothing(stack):  # noqa: F811
    stack.client("events").disable_rule(Name="ReminderRule", EventBusName="OmsLocal-bus")
    _remind(stack, "o9")
    stack.settle()
    assert _recorded(stack, "o9") is None


def test_rule_with_a_state_machine_target_starts_an_execution(stack):  # noqa: F811
    events = stack.client("events")
    events.put_rule(Name="ToMachine", EventBusName="OmsLocal-bus", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="ToMachine",
        EventBusName="OmsLocal-bus",
        Targets=[{"Id": "m", "Arn": stack.resources.state_machine_arn, "InputPath": "$.detail"}],
    )
    events.put_events(
        Entries=[
            {
                "Source": "shop",
                "DetailType": "Go",
                "EventBusName": "OmsLocal-bus",
                "Detail": json.dumps({"order_id": "o8", "sku": "NONE", "quantity": 1}),
            }
        ]
    )
    stack.settle()
    executions = stack.client("stepfunctions").list_executions(stateMachineArn=stack.resources.state_machine_arn)[
        "executions"
    ]
    assert [execution["status"] for execution in executions] == ["FAILED"]


def test_without_the_fix_moto_cannot_deliver_to_a_lambda_target(stack):  # noqa: F811
    moto_fixes.undo(moto_fixes.deliver_eventbridge_targets)
    try:
        with pytest.raises(NotImplementedError):
            stack.client("events").put_events(
                Entries=[
                    {"Source": "oms.test", "DetailType": "Reminded", "EventBusName": "OmsLocal-bus", "Detail": "{}"}
                ]
            )
    finally:
        moto_fixes.deliver_eventbridge_targets()


def _park_and_resume(stack, order_id: str, fail_times: int = 0) -> None:  # noqa: F811
    dynamodb = stack.client("dynamodb")
    dynamodb.put_item(
        TableName="OrdersTable", Item={"PK": {"S": "SKU#A"}, "SK": {"S": "STOCK"}, "available": {"N": "5"}}
    )
    stack.invoke(
        "StartFunction",
        {"body": json.dumps({"order_id": order_id, "sku": "A", "quantity": 1, "fail_times": fail_times})},
    )
    stack.settle()


def test_wait_state_ends_when_the_local_clock_is_advanced(stack):  # noqa: F811
    _park_and_resume(stack, "o1")
    token = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": "ORDER#o1"}, "SK": {"S": "TOKEN"}}
    )["Item"]["token"]["S"]
    stack.client("stepfunctions").send_task_success(taskToken=token, output="{}")
    stack.settle()
    assert stack.execution("o1")["states"][-1] == "Cool"
    stack.advance(3599)
    assert stack.execution("o1")["status"] == "RUNNING"
    stack.advance(1)
    assert stack.execution("o1")["status"] == "SUCCEEDED"


def test_retry_backoff_returns_at_once_and_is_recorded_in_instant_mode(instant_stack):  # noqa: F811
    _park_and_resume(instant_stack, "o3", fail_times=2)
    assert instant_stack.execution("o3")["states"] == ["Reserve", "Park"]
    assert moto_fixes.recorded_sleeps() == [2, 4]


def test_retry_backoff_follows_the_local_clock(stack):  # noqa: F811
    _park_and_resume(stack, "o4", fail_times=1)
    stack.advance(2)
    assert stack.execution("o4")["states"] == ["Reserve", "Park"]


def test_a_definite_path_with_an_index_in_the_middle_yields_the_value():
    document = {"lines": [{"sku": "A"}, {"sku": "B"}]}
    moto_fixes.apply_all()
    assert json_path.extract_json("$.lines[0].sku", document) == "A"
    assert json_path.extract_json("$.lines[*].sku", document) == ["A", "B"]
    assert json_path.extract_json("$.lines[1]", document) == {"sku": "B"}
    moto_fixes.undo(moto_fixes.definite_json_paths)
    try:
        assert json_path.extract_json("$.lines[0].sku", document) == ["A"]
    finally:
        moto_fixes.definite_json_paths()


def test_choice_on_a_middle_index_path_takes_the_right_branch(stack):  # noqa: F811
    sfn = stack.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="Pick",
        roleArn=stack.resources.arns["MachineRole"],
        definition=json.dumps(
            {
                "StartAt": "Which",
                "States": {
                    "Which": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.lines[0].sku", "StringEquals": "A", "Next": "Yes"}],
                        "Default": "No",
                    },
                    "Yes": {"Type": "Succeed"},
                    "No": {"Type": "Fail", "Error": "WrongBranch"},
                },
            }
        ),
    )
    sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], name="pick-1", input=json.dumps({"lines": [{"sku": "A"}]})
    )
    stack.settle()
    arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":pick-1"
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_sent_emails_are_stamped_with_the_local_clock(stack):  # noqa: F811
    stack.advance(86400)
    stack.invoke(
        "MailFunction",
        {
            "to": "ada@example.com",
            "subject": "s",
            "text": "t",
            "html": "<p>h</p>",
            "kind": "order_confirmed",
            "order_id": "o1",
        },
    )
    sent_at = stack.outbox()[0]["sent_at"]
    assert sent_at[:13] == oms_clock.iso()[:13]
    assert SENDER in stack.outbox()[0]["from"]
