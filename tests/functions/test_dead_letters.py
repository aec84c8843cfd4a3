"""A timer that fails every attempt is not lost: Lambda's failure record lands in the timers' dead-letter
queue, whose alarm calls an operator (the stack's EventInvokeConfig, on the local stack as on AWS)."""

import json
from typing import Any

import pytest

from oms import followup
from tests.scenario import DAY, Scenario, feedback_fired


class FeedbackUnavailable(Exception):
    pass


def _messages(oms: Scenario, queue: str) -> list[dict[str, Any]]:
    sqs = oms.stack.client("sqs")
    url = sqs.get_queue_url(QueueName=oms.stack.resources.names[queue])["QueueUrl"]
    return [
        json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]


def test_a_feedback_timer_that_fails_every_attempt_lands_in_the_timers_dead_letter_queue(
    oms: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = oms.placed()
    shipment = order["shipments"][0]
    for status in ("SHIPPED", "DELIVERED"):
        oms.track(shipment["partner_id"], shipment["shipment_id"], status)
    attempts: list[str] = []

    def unavailable(order_id: str) -> bool:
        attempts.append(order_id)
        raise FeedbackUnavailable("the feedback request could not be sent")

    monkeypatch.setattr(followup, "request_feedback", unavailable)

    assert feedback_fired(oms.advance(7 * DAY + 60)) == [f"feedback-{order['order_id']}"]

    assert attempts == [order["order_id"]] * 3
    (record,) = _messages(oms, "TimerFailureQueue")
    assert record["requestPayload"] == {"order_id": order["order_id"]}
    assert record["requestContext"]["functionArn"].startswith(oms.stack.resources.arns["FollowupFunction"])
    assert record["responsePayload"]["errorType"] == "FeedbackUnavailable"
    assert _messages(oms, "ScheduleDeadLetterQueue") == []


def test_a_timer_that_succeeds_leaves_the_dead_letter_queues_empty(oms: Scenario) -> None:
    order = oms.placed()
    shipment = order["shipments"][0]
    for status in ("SHIPPED", "DELIVERED"):
        oms.track(shipment["partner_id"], shipment["shipment_id"], status)

    assert feedback_fired(oms.advance(7 * DAY + 60)) == [f"feedback-{order['order_id']}"]

    assert len(oms.emails("feedback_request", order["order_id"])) == 1
    assert _messages(oms, "TimerFailureQueue") == []
