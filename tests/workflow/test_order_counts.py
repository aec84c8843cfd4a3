"""What one order asks of AWS over its whole life, counted on the synthesized state machine: state
transitions from the execution's history, Lambda invocations (API handlers included) and DynamoDB calls
from a botocore hook on every handler's client (`local.meter`). The ceilings are today's counts (the
budgets of docs/performance.md where they are met), so a change that adds a step, an invocation or a
round trip fails here and has to say why in the same change."""

from __future__ import annotations

import pytest

from benchmarks.shapes import Counts, count
from tests.scenario import Scenario

# The budget of docs/performance.md: 12 transitions, 12 invocations (the API's authorizer, cached per key
# by API Gateway, is not counted here: docs/performance.md says what it adds) and 30 DynamoDB calls.
TRANSITIONS_BUDGET = 12
INVOCATIONS_BUDGET = 12
DYNAMODB_BUDGET = 30
ONE_SHIPMENT = {"transitions": 5, "invocations": 10, "dynamodb": 30}


@pytest.fixture
def one_shipment(oms: Scenario) -> Counts:
    count(oms, "one_shipment", "WARM-1")  # every function on the path warm: its clients and caches made
    return count(oms, "one_shipment", "COUNTED-1")


def test_a_one_shipment_order_stays_within_its_state_transitions(one_shipment: Counts) -> None:
    assert one_shipment.transitions <= min(TRANSITIONS_BUDGET, ONE_SHIPMENT["transitions"])


def test_a_one_shipment_order_invokes_no_more_functions_than_counted(one_shipment: Counts) -> None:
    assert one_shipment.lambda_invocations <= min(INVOCATIONS_BUDGET, ONE_SHIPMENT["invocations"]), (
        one_shipment.invocations
    )


def test_a_one_shipment_order_makes_no_more_dynamodb_calls_than_counted(one_shipment: Counts) -> None:
    assert one_shipment.dynamodb_calls <= min(DYNAMODB_BUDGET, ONE_SHIPMENT["dynamodb"]), one_shipment.calls


def test_a_one_shipment_order_sends_its_five_emails_once(one_shipment: Counts) -> None:
    # Confirmation, the warehouse's request, shipped, delivered, feedback request.
    assert one_shipment.emails == 5
    assert one_shipment.service_calls("sesv2") == 5
