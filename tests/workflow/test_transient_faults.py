"""What DynamoDB does under contention and moto never does: a cancelled or throttled transaction is
retried, in place for a request and by the state machine for a step, and the order still completes."""

import pytest

from local.faults import TRANSIENT_REASONS, cancelled_transactions, conditioned_on, touching
from oms.repository.dynamo import RETRY_ATTEMPTS
from tests.scenario import Scenario


@pytest.mark.parametrize("reason", TRANSIENT_REASONS)
def test_a_cancelled_order_write_is_retried_and_the_order_completes(oms: Scenario, reason: str) -> None:
    with cancelled_transactions(touching("REF#"), reason) as fault:
        reply = oms.place()
    oms.settle()

    assert (reply.status, fault.injected) == (202, 1)
    order = oms.order(reply.json["order_id"])
    assert order["status"] == "PROCESSING"
    assert len(oms.emails("order_confirmed", order["order_id"])) == 1


@pytest.mark.parametrize("reason", TRANSIENT_REASONS)
def test_a_cancelled_allocation_is_retried_by_the_state_machine(oms: Scenario, reason: str) -> None:
    with cancelled_transactions(conditioned_on("allocation_round"), reason, times=2) as fault:
        order = oms.placed()

    assert fault.injected == 2
    assert order["status"] == "PROCESSING"
    assert [line["allocated"] for line in order["lines"]] == [2]
    assert oms.execution(order["order_id"])["status"] == "RUNNING"


@pytest.mark.parametrize("reason", TRANSIENT_REASONS)
def test_a_cancelled_partner_event_is_retried_and_applies_once(oms: Scenario, reason: str) -> None:
    order = oms.placed()
    shipment_id = order["shipments"][0]["shipment_id"]

    with cancelled_transactions(touching("PARTNER#"), reason) as fault:
        reply = oms.track("main-warehouse", shipment_id, "SHIPPED")

    assert (reply.status, reply.json, fault.injected) == (202, {"applied": True}, 1)
    assert oms.order(order["order_id"])["status"] == "SHIPPED"
    assert len(oms.emails("shipment_shipped", order["order_id"])) == 1


def test_contention_that_outlasts_the_retries_answers_503_and_the_same_request_then_succeeds(oms: Scenario) -> None:
    with cancelled_transactions(touching("REF#"), times=RETRY_ATTEMPTS) as fault:
        busy = oms.place()
    again = oms.place()
    oms.settle()

    assert (busy.status, busy.error_code, busy.headers.get("Retry-After"), fault.injected) == (
        503,
        "unavailable",
        "1",
        RETRY_ATTEMPTS,
    )
    assert again.status == 202
    assert oms.order(again.json["order_id"])["status"] == "PROCESSING"


def test_a_partner_update_refused_for_contention_applies_when_sent_again(oms: Scenario) -> None:
    order = oms.placed()
    shipment_id = order["shipments"][0]["shipment_id"]

    with cancelled_transactions(touching("PARTNER#"), times=RETRY_ATTEMPTS):
        busy = oms.track("main-warehouse", shipment_id, "ACCEPTED", event_id="evt-busy")
    again = oms.track("main-warehouse", shipment_id, "ACCEPTED", event_id="evt-busy")

    assert (busy.status, again.status, again.json) == (503, 202, {"applied": True})
