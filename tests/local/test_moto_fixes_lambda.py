"""moto's Lambda fix: a failed asynchronous invocation is retried twice, as Lambda retries it, then its
record goes to the function's on-failure destination."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from stack_fixtures import FIXTURE_FUNCTIONS, _function, template

from local import moto_fixes
from local.runtime.stack import LocalStack, local_stack


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    flaky = template()
    flaky["Resources"]["FlakyFunction"] = _function("fx_flaky")
    flaky["Resources"]["FlakyFailures"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    flaky["Resources"]["FlakyInvokeConfig"] = {
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": {"Ref": "FlakyFunction"},
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 2,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["FlakyFailures", "Arn"]}}},
        },
    }
    with local_stack(flaky, code_paths=[FIXTURE_FUNCTIONS], sleep_mode="instant") as running:
        yield running


def _runs(stack: LocalStack, key: str, succeed_on: int) -> int:
    name = stack.runtime.spec("FlakyFunction").name
    event = {"key": key, "succeed_on": succeed_on}
    stack.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    stack.settle()
    item = stack.client("dynamodb").get_item(TableName="OrdersTable", Key={"PK": {"S": "FLAKY"}, "SK": {"S": key}})
    return int(item["Item"]["runs"]["N"])


@pytest.mark.parametrize(("succeed_on", "runs"), [(1, 1), (2, 2), (3, 3), (4, 3)])
def test_a_failed_asynchronous_invocation_runs_at_most_twice_more(stack, succeed_on, runs):
    assert _runs(stack, f"k{succeed_on}", succeed_on) == runs


def test_without_the_fix_a_failed_asynchronous_invocation_runs_once(stack):
    moto_fixes.undo(moto_fixes.retry_failed_async_invocations)
    try:
        assert _runs(stack, "once", 3) == 1
    finally:
        moto_fixes.retry_failed_async_invocations()


def _failures(stack: LocalStack) -> list[dict]:
    url = stack.client("sqs").get_queue_url(QueueName=stack.resources.names["FlakyFailures"])["QueueUrl"]
    messages = stack.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_the_event_invoke_config_is_provisioned(stack):
    name = stack.runtime.spec("FlakyFunction").name
    config = stack.client("lambda").get_function_event_invoke_config(FunctionName=name)

    assert config["MaximumRetryAttempts"] == 2
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == stack.resources.arns["FlakyFailures"]


def test_an_invocation_that_fails_every_attempt_goes_to_its_on_failure_destination(stack):
    assert _runs(stack, "lost", 4) == 3

    (record,) = _failures(stack)
    assert record["requestPayload"] == {"key": "lost", "succeed_on": 4}
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"].endswith(":$LATEST")
    assert record["responsePayload"]["errorType"] == "Flaky"


def test_an_invocation_that_succeeds_on_a_retry_goes_nowhere(stack):
    assert _runs(stack, "saved", 3) == 3

    assert _failures(stack) == []
