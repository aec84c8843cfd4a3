"""What the functions tell operators: one metric per fact (in CloudWatch's embedded metric format, namespace
OMS, dimension service=oms), however often a storefront or a partner repeats itself, and the order's id on
every log line of a request about it."""

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aws_lambda_powertools.metrics.provider.cloudwatch_emf import cloudwatch as emf

from oms.observability import logger, metrics
from tests.scenario import Scenario

TEE = "TEE-RED-M"  # 15 in stock across the seed's locations


def _values(value: float | list[float]) -> list[float]:
    return value if isinstance(value, list) else [value]


@dataclass
class Observed:
    capsys: pytest.CaptureFixture[str]
    log: io.StringIO
    blobs: list[dict[str, Any]] = field(default_factory=list)

    def emitted(self) -> list[dict[str, Any]]:
        """The EMF documents printed so far (Powertools prints one per invocation)."""
        for line in self.capsys.readouterr().out.splitlines():
            if line.startswith("{") and '"_aws"' in line:
                self.blobs.append(json.loads(line))
        return self.blobs

    def total(self, name: str) -> float:
        return sum(sum(_values(blob[name])) for blob in self.emitted() if name in blob)

    def lines(self) -> list[dict[str, Any]]:
        lines = [json.loads(line) for line in self.log.getvalue().splitlines() if line.strip()]
        self.log.seek(0)
        self.log.truncate()
        return lines


@pytest.fixture
def observed(oms: Scenario, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Observed]:
    # The local stack keeps metrics off and logs at WARNING; here they are on, as on AWS.
    monkeypatch.setattr(emf, "is_metrics_disabled", lambda: False)
    metrics.clear_metrics()
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel("INFO")
    capsys.readouterr()
    try:
        yield Observed(capsys, log)
    finally:
        logger.setLevel(level)
        logger.handlers.remove(handler)


def _shipment(order: dict[str, Any]) -> str:
    return str(order["shipments"][0]["shipment_id"])


def test_metrics_are_emf_in_the_oms_namespace_with_the_service_dimension(oms: Scenario, observed: Observed) -> None:
    oms.place()

    placed = [blob for blob in observed.emitted() if "OrdersPlaced" in blob]
    assert len(placed) == 1
    directive = placed[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "OMS"
    assert directive["Dimensions"] == [["service"]]
    assert placed[0]["service"] == "oms"
    assert {"Name": "OrdersPlaced", "Unit": "Count"} in directive["Metrics"]


def test_an_order_placed_twice_is_counted_once(oms: Scenario, observed: Observed) -> None:
    first = oms.place(external_ref="TWICE-1")
    again = oms.place(external_ref="TWICE-1")

    assert (first.status, again.status) == (202, 202)
    assert observed.total("OrdersPlaced") == 1


def test_an_order_whose_units_wait_is_counted_backordered_once(oms: Scenario, observed: Observed) -> None:
    order = oms.placed(lines=[{"sku": TEE, "quantity": 18}], external_ref="WAIT-1")
    oms.stack.invoke("allocate", {"order_id": order["order_id"]})  # a retried step commits nothing new

    assert observed.total("OrdersBackordered") == 1
    assert observed.total("OrdersAllocated") == 1


def test_a_customer_cancellation_is_counted_once(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()

    replies = [oms.request("POST", f"/orders/{order['order_id']}/cancel") for _ in range(2)]

    assert [reply.status for reply in replies] == [200, 200]
    assert observed.total("OrdersCancelled") == 1


def test_a_partners_moves_are_counted_once_with_its_response_time(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()
    shipment_id = _shipment(order)
    partner = order["shipments"][0]["partner_id"]
    oms.advance(90 * 60)

    oms.track(partner, shipment_id, "ACCEPTED", event_id="a1")
    oms.track(partner, shipment_id, "SHIPPED", event_id="s1")
    oms.track(partner, shipment_id, "SHIPPED", event_id="s1")  # the partner's retry
    oms.track(partner, shipment_id, "DELIVERED", event_id="d1")

    response = [_values(blob["PartnerResponseTime"]) for blob in observed.emitted() if "PartnerResponseTime" in blob]
    assert len(response) == 1 and len(response[0]) == 1
    assert 90 * 60 <= response[0][0] < 90 * 60 + 60
    units = {m["Name"]: m["Unit"] for blob in observed.blobs for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units["PartnerResponseTime"] == "Seconds"
    assert (observed.total("ShipmentsShipped"), observed.total("ShipmentsDelivered")) == (1, 1)
    assert observed.total("ShipmentsAfterCancellation") == 0


def test_a_cancelled_shipment_that_ships_is_counted_for_the_alarm(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()
    shipment_id = _shipment(order)
    partner = order["shipments"][0]["partner_id"]
    oms.request("POST", f"/orders/{order['order_id']}/cancel")

    oms.track(partner, shipment_id, "SHIPPED", event_id="late")
    oms.track(partner, shipment_id, "SHIPPED", event_id="late")

    assert observed.total("ShipmentsAfterCancellation") == 1


def test_a_partners_missed_deadline_is_counted_once_however_often_its_timer_fires(
    oms: Scenario, observed: Observed
) -> None:
    order = oms.placed()
    deadline = f"deadline-{_shipment(order)}-1"

    assert oms.advance(48 * 3600 + 60)["fired"] == [deadline]
    oms.stack.invoke("partner_deadline", {"order_id": order["order_id"], "shipment_id": _shipment(order), "stage": 1})

    assert observed.total("PartnerDeadlinesMissed") == 1


def test_an_order_compensated_twice_is_counted_failed_once(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()
    step = {"order_id": order["order_id"], "error": {"Error": "States.Timeout"}}

    oms.stack.invoke("compensate", step)
    oms.stack.invoke("compensate", step)  # the state machine's retry of a step that had done its work

    assert observed.total("OrdersFailed") == 1


def test_every_log_line_of_placing_an_order_and_its_steps_names_the_order(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()
    lines = observed.lines()

    assert len(lines) >= 2  # the confirmation and the partner's request, at least
    assert {line.get("order_id") for line in lines} == {order["order_id"]}


def test_every_log_line_of_a_partners_update_names_its_order(oms: Scenario, observed: Observed) -> None:
    first, second = oms.placed(external_ref="LOG-1"), oms.placed(external_ref="LOG-2")
    observed.lines()

    for order in (first, second):
        shipment = order["shipments"][0]
        oms.track(shipment["partner_id"], shipment["shipment_id"], "ACCEPTED")
        lines = observed.lines()

        assert lines, "the update logged nothing"
        assert {line.get("order_id") for line in lines} == {order["order_id"]}


def test_every_log_line_of_a_cancellation_names_its_order(oms: Scenario, observed: Observed) -> None:
    order = oms.placed()
    observed.lines()

    oms.request("POST", f"/orders/{order['order_id']}/cancel")
    lines = observed.lines()

    assert any(line["message"] == "the customer cancelled the order" for line in lines)
    assert {line.get("order_id") for line in lines} == {order["order_id"]}


def test_a_schedule_set_at_run_time_dead_letters_what_scheduler_cannot_deliver(oms: Scenario) -> None:
    order = oms.placed()
    shipment_id = _shipment(order)

    schedule = oms.stack.client("scheduler").get_schedule(
        Name=f"deadline-{shipment_id}-1", GroupName=oms.stack.resources.names["FeedbackSchedules"]
    )

    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": oms.stack.resources.arns["ScheduleDeadLetterQueue"]}
    assert schedule["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 6 * 3600}
