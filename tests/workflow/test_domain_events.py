"""Domain events reach the bus, and a rule with a Lambda target delivers them locally as on AWS."""

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oms.repository.dynamo import db, from_item, to_item
from tests.scenario import Scenario, scenario

FIXTURES = Path(__file__).resolve().parents[1] / "local" / "fixture_functions"


def _with_recording_rule(template: dict[str, Any]) -> dict[str, Any]:
    """The template plus what a listener would add: a rule on the bus whose target records events."""
    extended = copy.deepcopy(template)
    resources = extended["Resources"]
    resources["RecorderFunction"] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "fx_record.handler.lambda_handler",
            "Runtime": "python3.11",
            "Role": {"Fn::GetAtt": ["AllocateFunctionRole", "Arn"]},
            "Environment": {"Variables": {"TABLE_NAME": {"Ref": "OrdersTable"}}},
        },
    }
    resources["RecordAllocations"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventBusName": {"Ref": "OmsBus"},
            "EventPattern": {"source": ["oms"], "detail-type": ["OrderAllocated"]},
            "Targets": [{"Id": "recorder", "Arn": {"Fn::GetAtt": ["RecorderFunction", "Arn"]}}],
        },
    }
    return extended


@pytest.fixture
def listened(template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Scenario]:
    monkeypatch.syspath_prepend(str(FIXTURES))
    with scenario(_with_recording_rule(template)) as running:
        yield running


def test_an_allocated_order_is_delivered_to_the_rules_lambda_target(listened: Scenario) -> None:
    order = listened.placed()

    item = (
        db()
        .get_item(
            TableName=listened.stack.env["ORDERS_TABLE"],
            Key=to_item({"PK": f"ORDER#{order['order_id']}", "SK": "RECORDED"}),
        )
        .get("Item")
    )

    assert item is not None
    assert '"detail-type": "OrderAllocated"' in from_item(item)["event"]
