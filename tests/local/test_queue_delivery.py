"""SQS queues feeding a Lambda function in the local stack: Lambda's event, batch item failures,
visibility timeouts and delays on the local clock, the dead-letter queue, rules into the queue, chaos."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from stack_fixtures import FIXTURE_FUNCTIONS, queue_template

from local.chaos import chaos
from local.runtime.stack import LocalStack, local_stack

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:WebhookQueue"


@pytest.fixture
def queue_stack() -> Iterator[LocalStack]:
    with local_stack(queue_template(), code_paths=[FIXTURE_FUNCTIONS]) as running:
        yield running


def _queue_url(stack: LocalStack, name: str = "WebhookQueue") -> str:
    return str(stack.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def _send(stack: LocalStack, body: dict[str, Any], **request: Any) -> str:
    sent = stack.client("sqs").send_message(QueueUrl=_queue_url(stack), MessageBody=json.dumps(body), **request)
    return str(sent["MessageId"])


def _records(stack: LocalStack, key: str) -> list[dict[str, Any]]:
    item = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": "DELIVERED"}, "SK": {"S": key}}, ConsistentRead=True
    )
    return [json.loads(record["S"]) for record in item.get("Item", {}).get("records", {}).get("L", [])]


def _counts(stack: LocalStack, name: str = "WebhookQueue") -> tuple[int, int, int]:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=_queue_url(stack, name),
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def test_the_mapping_is_provisioned_as_the_template_declares(queue_stack):
    mappings = queue_stack.client("lambda").list_event_source_mappings(FunctionName="DeliverFunction")
    [mapping] = mappings["EventSourceMappings"]
    assert mapping["EventSourceArn"] == QUEUE_ARN
    assert mapping["BatchSize"] == 2
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert queue_stack.resources.event_source_mappings["DeliverMapping"] == mapping["UUID"]
    redrive = queue_stack.client("sqs").get_queue_attributes(
        QueueUrl=_queue_url(queue_stack), AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    )["Attributes"]
    assert json.loads(redrive["RedrivePolicy"])["maxReceiveCount"] == 3
    assert redrive["VisibilityTimeout"] == "30"


def test_a_message_is_delivered_with_lambdas_sqs_event_and_deleted(queue_stack):
    body = {"key": "hello"}
    message_id = _send(
        queue_stack, body, MessageAttributes={"kind": {"DataType": "String", "StringValue": "order.shipped"}}
    )

    queue_stack.settle()

    [record] = _records(queue_stack, "hello")
    assert record["messageId"] == message_id
    assert record["body"] == json.dumps(body)
    assert record["md5OfBody"] == hashlib.md5(json.dumps(body).encode()).hexdigest()
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == "us-east-1"
    assert record["receiptHandle"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "order.shipped", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    assert _counts(queue_stack) == (0, 0, 0)


def test_a_reported_failure_comes_back_only_after_its_visibility_timeout_on_the_local_clock(queue_stack):
    _send(queue_stack, {"key": "backoff", "succeed_on": 2, "backoff": 120})
    queue_stack.settle()
    assert len(_records(queue_stack, "backoff")) == 1
    assert _counts(queue_stack) == (0, 1, 0)

    queue_stack.advance(110)

    assert len(_records(queue_stack, "backoff")) == 1

    queue_stack.advance(11)

    first, second = _records(queue_stack, "backoff")
    assert second["messageId"] == first["messageId"]
    assert second["attributes"]["ApproximateReceiveCount"] == "2"
    assert (
        second["attributes"]["ApproximateFirstReceiveTimestamp"]
        == first["attributes"]["ApproximateFirstReceiveTimestamp"]
    )
    assert _counts(queue_stack) == (0, 0, 0)


def test_a_message_failing_max_receive_count_times_lands_in_the_dead_letter_queue(queue_stack):
    message_id = _send(queue_stack, {"key": "doomed", "succeed_on": 99, "backoff": 10})
    queue_stack.settle()

    for _ in range(3):
        queue_stack.advance(11)

    assert [record["attributes"]["ApproximateReceiveCount"] for record in _records(queue_stack, "doomed")] == [
        "1",
        "2",
        "3",
    ]
    assert _counts(queue_stack) == (0, 0, 0)
    [dead] = queue_stack.client("sqs").receive_message(QueueUrl=_queue_url(queue_stack, "WebhookDeadLetters"))[
        "Messages"
    ]
    assert dead["MessageId"] == message_id


def test_a_function_error_redelivers_the_whole_batch_after_the_visibility_timeout(queue_stack):
    _send(queue_stack, {"key": "crashes", "crash_on": [1]}, DelaySeconds=5)
    _send(queue_stack, {"key": "innocent"}, DelaySeconds=5)
    queue_stack.settle()
    assert _counts(queue_stack) == (0, 0, 2)

    queue_stack.advance(6)

    assert len(_records(queue_stack, "crashes")) == len(_records(queue_stack, "innocent")) == 1
    assert _counts(queue_stack) == (0, 2, 0)

    queue_stack.advance(31)

    assert [record["attributes"]["ApproximateReceiveCount"] for record in _records(queue_stack, "innocent")] == [
        "1",
        "2",
    ]
    assert len(_records(queue_stack, "crashes")) == 2
    assert _counts(queue_stack) == (0, 0, 0)


def test_rules_deliver_their_input_to_the_queue_and_on_to_the_function(queue_stack):
    queue_stack.client("events").put_events(
        Entries=[
            {
                "Source": "oms.test",
                "DetailType": detail_type,
                "EventBusName": queue_stack.resources.event_buses["Bus"],
                "Detail": json.dumps({"key": order_id, "status": detail_type}),
            }
            for detail_type, order_id in (("Shipped", "o-1"), ("Delivered", "o-2"))
        ]
    )

    queue_stack.settle()

    [shipped] = _records(queue_stack, "o-1")
    assert json.loads(shipped["body"]) == {"key": "o-1", "kind": "shipped"}
    [delivered] = _records(queue_stack, "o-2")
    assert json.loads(delivered["body"]) == {"key": "o-2", "status": "Delivered"}
    assert _counts(queue_stack) == (0, 0, 0)


def test_chaos_applies_to_the_delivering_functions_runs(queue_stack):
    with chaos(rate=1.0, seed=3, services=["dynamodb"]) as faulty:
        _send(queue_stack, {"key": "throttled"})
        queue_stack.settle()
    assert faulty.count(function="DeliverFunction") >= 1
    assert _records(queue_stack, "throttled") == []
    assert _counts(queue_stack) == (0, 1, 0)

    with chaos(twice=True) as doubled:
        queue_stack.advance(31)

    assert [duplicate.function for duplicate in doubled.duplicates] == ["DeliverFunction"]
    assert [record["attributes"]["ApproximateReceiveCount"] for record in _records(queue_stack, "throttled")] == [
        "2",
        "2",
    ]
    assert _counts(queue_stack) == (0, 0, 0)
