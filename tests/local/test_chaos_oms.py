"""Chaos on the real OMS stack: the faults reach OMS's handlers, and the domain takes them for what they are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.chaos import chaos
from tests.scenario import Scenario, scenario


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, executions=True) as running:
        yield running


def _failures(oms: Scenario, order_id: str) -> list[tuple[str, str]]:
    """(state, error) of each failed Lambda run of the order's execution, oldest first."""
    history = oms.execution(order_id)["history"]
    entered = {
        event["id"]: event["stateEnteredEventDetails"]["name"]
        for event in history
        if "stateEnteredEventDetails" in event
    }
    failures = []
    for event in history:
        if event["type"] == "LambdaFunctionFailed":
            state = entered[max(i for i in entered if i < event["id"])]
            failures.append((state, event["lambdaFunctionFailedEventDetails"]["error"]))
    return failures


def test_an_order_write_throttled_throughout_answers_503_and_writes_nothing(oms: Scenario) -> None:
    with chaos(rate=1.0, services=["dynamodb"]) as report:
        reply = oms.place()

    assert (reply.status, reply.error_code, reply.headers.get("Retry-After")) == (503, "unavailable", "1")
    assert report.count(function="PlaceOrderFunction", service="dynamodb") >= 1
    orders = oms.stack.client("dynamodb").scan(TableName=oms.stack.env["ORDERS_TABLE"])["Items"]
    assert orders == []


def test_a_throttled_email_fails_the_step_as_a_transient_error_and_sends_nothing(oms: Scenario) -> None:
    with chaos(rate=1.0, services=["sesv2"]) as report:
        reply = oms.place()
        oms.settle()

    order_id = reply.json["order_id"]
    notify = [error for state, error in _failures(oms, order_id) if state == "NotifyOutcome"]
    assert len(notify) > 1
    assert set(notify) == {"TransientError"}
    assert report.count(service="sesv2", error="TooManyRequestsException") >= len(notify)
    assert oms.emails("order_confirmed", order_id) == []


def test_a_placed_order_is_delivered_twice_to_its_handler_and_confirmed_once(oms: Scenario) -> None:
    with chaos(twice=True) as report:
        reply = oms.place()
        oms.settle()

    order_id = reply.json["order_id"]
    assert report.runs["PlaceOrderFunction"] == 2
    assert {duplicate.function for duplicate in report.duplicates} >= {"PlaceOrderFunction", "NotifyFunction"}
    assert oms.order(order_id)["status"] == "PROCESSING"
    assert len(oms.emails("order_confirmed", order_id)) == 1
