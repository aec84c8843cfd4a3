"""Every sample event in events/ runs against a fresh stack with the default seed, as `oms invoke` runs it."""

import json
from pathlib import Path
from typing import Any

import pytest

from local.cli import resign
from local.runtime.lambda_runtime import FunctionError
from tests.scenario import Scenario

EVENTS = Path(__file__).resolve().parents[2] / "events"
# What each sample gives on a stack that holds only the seed: the events name an order it does not have.
EXPECTED: dict[str, tuple[str, Any]] = {
    "place_order.json": ("place_order", 202),
    "orders_api.json": ("orders_api", 404),
    "cancel_order.json": ("cancel_order", 404),
    "tracking.json": ("tracking", 404),
    "tracking_shipments.json": ("tracking", 200),
    "feedback_get.json": ("feedback", 404),
    "feedback_post.json": ("feedback", 404),
    "allocate.json": ("allocate", "OrderNotFound"),
    "notify.json": ("notify", "OrderNotFound"),
    "dispatch.json": ("dispatch", "OrderNotFound"),
    "followup.json": ("followup", "OrderNotFound"),
    "partner_deadline.json": ("partner_deadline", {"acted": False}),
    "compensate.json": ("compensate", {"status": "FAILED"}),
    "deliver_webhooks.json": ("deliver_webhooks", {"batchItemFailures": []}),
    # The storefront key on an admin route: a policy that allows only the storefront's routes.
    "authorizer.json": ("authorizer", {"principalId": "storefront", "context": {"party": "storefront"}}),
}


def test_every_sample_event_is_covered() -> None:
    assert sorted(p.name for p in EVENTS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_sample_event_runs_as_oms_invoke_runs_it(oms: Scenario, name: str) -> None:
    function, expected = EXPECTED[name]
    event = resign(json.loads((EVENTS / name).read_text()), oms.seed)

    try:
        result = oms.stack.invoke(function, event)
    except FunctionError as error:
        assert error.payload["errorType"] == expected
        return
    if isinstance(expected, int):
        assert result["statusCode"] == expected, result
    else:
        assert expected.items() <= result.items()
