"""moto's SQS fixes: time on the local clock, messages past their retention gone, mapped queues left to
the local stack's poller."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from stack_fixtures import FIXTURE_FUNCTIONS, queue_template

from local import moto_fixes
from local.runtime.stack import LocalStack, local_stack
from oms import clock as oms_clock


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    document = queue_template()
    document["Resources"]["Plain"] = {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 120}}
    with local_stack(document, code_paths=[FIXTURE_FUNCTIONS]) as running:
        yield running


def _plain(stack: LocalStack) -> str:
    return str(stack.client("sqs").get_queue_url(QueueName="Plain")["QueueUrl"])


def _receive(stack: LocalStack, visibility: int = 60) -> list[str]:
    answer = stack.client("sqs").receive_message(QueueUrl=_plain(stack), VisibilityTimeout=visibility)
    return [message["Body"] for message in answer.get("Messages", [])]


def test_a_visibility_timeout_ends_when_the_local_clock_passes_it(stack):
    stack.client("sqs").send_message(QueueUrl=_plain(stack), MessageBody="one")
    assert _receive(stack) == ["one"]

    oms_clock.advance(59)
    assert _receive(stack) == []
    oms_clock.advance(2)

    assert _receive(stack) == ["one"]


def test_a_delay_ends_when_the_local_clock_passes_it(stack):
    stack.client("sqs").send_message(QueueUrl=_plain(stack), MessageBody="later", DelaySeconds=30)
    assert _receive(stack) == []

    oms_clock.advance(31)

    assert _receive(stack) == ["later"]


def test_without_the_clock_fix_the_local_clock_does_not_end_a_visibility_timeout(stack):
    moto_fixes.undo(moto_fixes.sqs_on_local_clock)
    try:
        stack.client("sqs").send_message(QueueUrl=_plain(stack), MessageBody="stuck")
        assert _receive(stack) == ["stuck"]
        oms_clock.advance(61)
        assert _receive(stack) == []
    finally:
        moto_fixes.sqs_on_local_clock()


def test_a_message_past_its_retention_period_is_deleted(stack):
    stack.client("sqs").send_message(QueueUrl=_plain(stack), MessageBody="old")

    oms_clock.advance(121)

    assert _receive(stack) == []
    attributes = stack.client("sqs").get_queue_attributes(QueueUrl=_plain(stack), AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_without_the_retention_fix_an_expired_message_is_received_and_hidden_for_ever(stack):
    moto_fixes.undo(moto_fixes.drop_expired_messages)
    try:
        stack.client("sqs").send_message(QueueUrl=_plain(stack), MessageBody="old")
        oms_clock.advance(121)
        assert _receive(stack) == []
        attributes = stack.client("sqs").get_queue_attributes(
            QueueUrl=_plain(stack), AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    finally:
        moto_fixes.drop_expired_messages()


def test_a_mapped_queue_is_not_delivered_inside_the_send(stack):
    queue = stack.client("sqs").get_queue_url(QueueName="WebhookQueue")["QueueUrl"]
    stack.poller.stop()

    stack.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps({"key": "waits"}))

    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    item = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": "DELIVERED"}, "SK": {"S": "waits"}}
    )
    assert "Item" not in item
