"""Compensation on one path for every step that can fail for good: whichever step fails, and however far
it got, the order ends FAILED with nothing reserved or queued, partners that were asked are told, the
customer hears once, an alarm metric counts it, and the execution ends in OrderFailed."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.scenario import Scenario
from tests.workflow.test_fulfilment_rounds import stock

# Fifteen units in stock, ten at the warehouse and five at the third party: twenty make two shipments
# and leave five on backorder, so every kind of hold is there to give back.
TWENTY_TEES = [{"sku": "TEE-RED-M", "quantity": 20}]
# State name -> (function folder, the domain call its handler makes).
STEPS = {
    "Allocate": ("allocate", "allocate_order"),
    "NotifyOutcome": ("notify", "notify_outcome"),
    "DispatchAndWait": ("dispatch", "dispatch"),
}


class PermanentFault(Exception):
    """A failure no retry mends: the state machine retries only TransientError and Lambda's own errors."""


@pytest.fixture
def fail_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], list[str]]]:
    """Make a state's handler do its work, then fail with PermanentFault, the first time it runs."""

    def after_the_work(state: str) -> list[str]:
        folder, call = STEPS[state]
        handler = importlib.import_module(f"{folder}.handler")
        real = getattr(handler, call)
        failed: list[str] = []

        def then_fail(order_id: str, *args: Any) -> Any:
            answer = real(order_id, *args)
            if not failed:
                failed.append(order_id)
                raise PermanentFault(f"{state} broke for good")
            return answer

        monkeypatch.setattr(handler, call, then_fail)
        return failed

    yield after_the_work


@pytest.mark.parametrize("state", list(STEPS))
def test_a_step_that_fails_for_good_is_compensated(
    oms: Scenario, fail_once: Callable[[str], list[str]], counted: list[str], state: str
) -> None:
    before = stock(oms, "TEE-RED-M")
    failed = fail_once(state)

    order = oms.placed(lines=TWENTY_TEES)
    order_id = order["order_id"]

    assert failed == [order_id]
    assert order["status"] == "FAILED"
    assert {s["status"] for s in order["shipments"]} <= {"CANCELLED"}
    after = stock(oms, "TEE-RED-M")  # checks on_hand = available + reserved at every location
    assert after == before
    assert all(after[location]["reserved"] == 0 for location in ("main-warehouse", "east-3pl"))
    asked = {e["shipment_id"] for e in oms.emails("fulfillment_request", order_id)}
    told = [e["shipment_id"] for e in oms.emails("cancellation_request", order_id)]
    assert sorted(told) == sorted(asked)
    assert len(asked) == (2 if state == "DispatchAndWait" else 0)
    assert len(oms.emails("order_failed", order_id)) == 1
    assert counted.count("OrdersFailed") == 1
    [entry] = [e for e in order["timeline"] if e["type"] == "OrderFailed"]
    assert entry["detail"] == {"reason": "internal_error"}
    execution = oms.execution(order_id)
    assert (execution["status"], execution["error"]) == ("FAILED", "OrderFailed")
    assert execution["states"][-2:] == ["Compensate", "OrderFailed"]
    assert state in execution["states"]


def test_a_step_that_fails_before_reserving_anything_is_compensated_too(oms: Scenario, monkeypatch) -> None:
    import allocate.handler as handler

    def broken(order_id: str) -> Any:
        raise PermanentFault("Allocate broke before reserving")

    monkeypatch.setattr(handler, "allocate_order", broken)
    before = stock(oms, "TEE-RED-M")

    order = oms.placed(lines=TWENTY_TEES)

    assert (order["status"], order["shipments"]) == ("FAILED", [])
    assert stock(oms, "TEE-RED-M") == before
    assert len(oms.emails("order_failed", order["order_id"])) == 1
    assert oms.execution(order["order_id"])["error"] == "OrderFailed"
