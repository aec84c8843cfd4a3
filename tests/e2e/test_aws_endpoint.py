"""The AWS services of `oms local` answer at its AWS endpoint with the state the handlers see."""

from __future__ import annotations

from tests.e2e.conftest import Client
from tests.e2e.test_order_story import _order


def test_an_order_placed_through_the_api_is_seen_through_the_aws_endpoint(oms_local: Client) -> None:
    answer = oms_local.call("POST", "/orders", _order())
    assert answer.status == 202, answer.body
    order_id = answer.json["order_id"]
    oms_local.settle()

    sfn, dynamodb = oms_local.aws("stepfunctions"), oms_local.aws("dynamodb")
    [machine] = sfn.list_state_machines()["stateMachines"]
    execution_arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{order_id}"
    history = sfn.get_execution_history(executionArn=execution_arn)["events"]
    entered = [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]
    items = dynamodb.scan(
        TableName="OrdersTable",
        FilterExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}},
    )["Items"]

    assert entered == ["Allocate", "NotifyOutcome", "DispatchAndWait"]
    assert {item["SK"]["S"] for item in items} >= {"ORDER", f"SHIPMENT#{order_id}-S1"}
