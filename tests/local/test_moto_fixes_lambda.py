"""moto's Lambda fix: a failed asynchronous invocation is retried twice, as Lambda retries it."""

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
