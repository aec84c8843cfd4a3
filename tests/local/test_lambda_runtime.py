"""Running Lambda handlers in-process: one shared environment, Lambda-shaped errors, a context object."""

from __future__ import annotations

import json
import os

import pytest
from stack_fixtures import FIXTURE_FUNCTIONS, stack  # noqa: F401 - the fixture

from local.runtime import invocations
from local.runtime.invocations import Invocation
from local.runtime.lambda_runtime import (
    ConflictingEnvironment,
    FunctionError,
    FunctionSpec,
    LambdaRuntime,
    union_environment,
)


def _spec(logical_id: str, handler: str = "fx_fail.handler.lambda_handler", **environment: str) -> FunctionSpec:
    return FunctionSpec(logical_id=logical_id, name=logical_id, handler=handler, environment=environment)


def test_environment_is_the_union_of_every_functions():
    env = union_environment([_spec("A", TABLE="t", ONLY_A="a"), _spec("B", TABLE="t", ONLY_B="b")])
    assert (env["TABLE"], env["ONLY_A"], env["ONLY_B"]) == ("t", "a", "b")


def test_one_name_with_two_values_is_refused_at_load_time():
    with pytest.raises(ConflictingEnvironment, match="TABLE is 't' in A but 'u' in B"):
        union_environment([_spec("A", TABLE="t"), _spec("B", TABLE="u")])


def test_service_name_is_shared_and_powertools_stays_offline():
    env = union_environment([_spec("A", POWERTOOLS_SERVICE_NAME="a"), _spec("B", POWERTOOLS_SERVICE_NAME="b")])
    assert env["POWERTOOLS_SERVICE_NAME"] == "oms"
    assert env["POWERTOOLS_TRACE_DISABLED"] == env["POWERTOOLS_METRICS_DISABLED"] == "true"


def test_settings_overrides_win_over_the_template_for_every_function():
    env = union_environment(
        [_spec("A", OMS_SENDER="a@x"), _spec("B", OMS_SENDER="b@x")],
        {"OMS_SENDER": "seed@x", "PUBLIC_BASE_URL": "http://127.0.0.1:3000"},
    )
    assert (env["OMS_SENDER"], env["PUBLIC_BASE_URL"]) == ("seed@x", "http://127.0.0.1:3000")


def test_an_unhandled_exception_is_a_lambda_error_named_after_its_class():
    runtime = LambdaRuntime([_spec("Fail")], [FIXTURE_FUNCTIONS])
    payload, errored, logs = runtime.run(runtime.spec("Fail"), {"partner_id": "p1"})
    assert errored
    assert json.loads(payload)["errorType"] == "PartnerUnknown"
    assert json.loads(payload)["errorMessage"] == "no partner p1"
    assert "Traceback" in logs


def test_a_result_json_cannot_carry_is_a_marshal_error():
    runtime = LambdaRuntime([_spec("Odd", handler="fx_fail.handler.unmarshallable")], [FIXTURE_FUNCTIONS])
    payload, errored, _ = runtime.run(runtime.spec("Odd"), {})
    assert errored
    assert json.loads(payload)["errorType"] == "Runtime.MarshalError"


def test_direct_invoke_raises_the_error_payload():
    runtime = LambdaRuntime([_spec("Fail")], [FIXTURE_FUNCTIONS])
    with pytest.raises(FunctionError) as raised:
        runtime.invoke("fx_fail", {})
    assert raised.value.payload["errorType"] == "PartnerUnknown"


def test_handlers_get_a_context_and_the_shared_environment(stack):  # noqa: F811
    stack.client("dynamodb").put_item(
        TableName="OrdersTable", Item={"PK": {"S": "SKU#A"}, "SK": {"S": "STOCK"}, "available": {"N": "5"}}
    )
    result = stack.invoke("ReserveFunction", {"order_id": "o1", "sku": "A", "quantity": 1})
    assert result["function"] == "ReserveFunction"
    assert 0 < result["remaining_ms"] <= 30_000
    assert os.environ["TABLE_NAME"] == stack.env["TABLE_NAME"] == "OrdersTable"


def test_a_failing_step_is_caught_by_its_error_name(stack):  # noqa: F811
    stack.client("dynamodb").put_item(
        TableName="OrdersTable", Item={"PK": {"S": "SKU#A"}, "SK": {"S": "STOCK"}, "available": {"N": "1"}}
    )
    stack.invoke("StartFunction", {"body": json.dumps({"order_id": "o2", "sku": "A", "quantity": 3})})
    stack.settle()
    execution = stack.execution("o2")
    assert (execution["status"], execution["error"]) == ("FAILED", "SoldOut")
    assert execution["states"] == ["Reserve", "SoldOut"]


def test_the_environment_is_given_back_when_the_stack_stops():
    from stack_fixtures import template

    from local.runtime.stack import local_stack

    before = os.environ.get("TABLE_NAME")
    with local_stack(template(), code_paths=[FIXTURE_FUNCTIONS]):
        assert os.environ["TABLE_NAME"] == "OrdersTable"
    assert os.environ.get("TABLE_NAME") == before


def test_concurrent_invocations_of_one_function_take_turns_like_one_environment():
    from concurrent.futures import ThreadPoolExecutor

    runtime = LambdaRuntime([_spec("Request", handler="fx_request.handler.lambda_handler")], [FIXTURE_FUNCTIONS])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: runtime.invoke("Request", {"n": n}), range(24)))

    assert all(r["mine"] for r in results)
    assert max(r["overlapping"] for r in results) == 1


def test_a_watcher_sees_each_run_and_may_have_its_event_delivered_once_more():
    runtime = LambdaRuntime([_spec("Request", handler="fx_request.handler.lambda_handler")], [FIXTURE_FUNCTIONS])
    seen: list[tuple[str, Invocation, Invocation | None]] = []

    class Again:
        def started(self, invocation: Invocation) -> None:
            seen.append(("started", invocation, invocations.current()))

        def finished(self, invocation: Invocation, outcome: tuple[str, bool, str]) -> bool:
            seen.append(("finished", invocation, invocations.current()))
            return True

    with invocations.watched(Again()):
        payload, errored, _ = runtime.run(runtime.spec("Request"), {"n": 1})

    assert (json.loads(payload)["mine"], errored) == (True, False)
    first, second = seen[0][1], seen[2][1]
    assert [(what, run.ordinal, run.repeat_of) for what, run, _ in seen] == [
        ("started", 1, None),
        ("finished", 1, None),
        ("started", 2, 1),
        ("finished", 2, 1),
    ]
    assert first.request_id == second.request_id
    assert [running for _, _, running in seen] == [None] * 4
    assert invocations.current() is None


def test_two_functions_with_powertools_resolvers_never_see_each_others_event():
    """Powertools keeps the resolver's current event on its class: in one process, two API functions that
    ran at once would each read the other's request."""
    from concurrent.futures import ThreadPoolExecutor

    specs = [_spec(name, handler=f"fx_api_{name[-1].lower()}.handler.lambda_handler") for name in ("ApiA", "ApiB")]
    runtime = LambdaRuntime(specs, [FIXTURE_FUNCTIONS])

    def call(n: int) -> bool:
        event = {"httpMethod": "POST", "path": "/echo", "body": f"request-{n}", "headers": {}, "requestContext": {}}
        answer = runtime.invoke(specs[n % 2].logical_id, event)
        return json.loads(answer["body"])["body"] == f"request-{n}"

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(call, range(40)))

    assert all(answers)
