"""Chaos in the local stack: the handlers' AWS calls fail as AWS fails under load, reproducibly, and
events are delivered twice; the stack's own calls and the test's reads never fail."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from stack_fixtures import FIXTURE_FUNCTIONS, _function, _joined, template

from local.chaos import KINDS, SDK_RETRIED, FaultKind, chaos
from local.runtime.stack import LocalStack, local_stack
from oms import clock as oms_clock
from oms.aws import SDK_MAX_ATTEMPTS

_COUNTED = {
    "StartAt": "Count",
    "States": {
        "Count": {"Type": "Task", "Resource": "@@CountFunction@@", "ResultPath": "$.counted", "Next": "Park"},
        "Park": {
            "Type": "Task",
            "Resource": "arn:@@AWS::Partition@@:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "@@CountFunction@@",
                "Payload": {"key.$": "States.Format('park-{}', $.key)", "task_token.$": "$$.Task.Token"},
            },
            "ResultPath": "$.parked",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}


@pytest.fixture
def stack():
    chaotic = template()
    chaotic["Resources"]["ProbeFunction"] = _function("fx_probe")
    chaotic["Resources"]["CountFunction"] = _function("fx_count")
    chaotic["Resources"]["OrderMachine"]["Properties"]["DefinitionString"] = _joined(_COUNTED)
    with local_stack(chaotic, code_paths=[FIXTURE_FUNCTIONS], sleep_mode="instant") as running:
        running.client("secretsmanager").create_secret(Name="probe", SecretString="s")
        yield running


def _calls_for(kind: FaultKind) -> list[dict[str, Any]]:
    """One call the kind applies to, valid enough to reach moto when no fault is injected."""
    key = {"PK": {"S": "PROBE"}, "SK": {"S": "ONE"}}
    item = {**key, "value": {"N": "1"}}
    if kind.reason:
        put = {"Put": {"TableName": "OrdersTable", "Item": item}}
        other = {"Put": {"TableName": "OrdersTable", "Item": {**item, "SK": {"S": "TWO"}}}}
        return [{"service": "dynamodb", "method": "transact_write_items", "params": {"TransactItems": [put, other]}}]
    by_service = {
        "dynamodb": ("put_item", {"TableName": "OrdersTable", "Item": item}),
        "sesv2": (
            "send_email",
            {
                "FromEmailAddress": "shop@example.com",
                "Destination": {"ToAddresses": ["ada@example.com"]},
                "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            },
        ),
        "scheduler": ("get_schedule", {"Name": "feedback-o1", "GroupName": "oms-local-schedules"}),
        "stepfunctions": ("send_task_success", {"taskToken": "token", "output": "{}"}),
        "secretsmanager": ("get_secret_value", {"SecretId": "probe"}),
        "events": ("put_events", {"Entries": [{"Source": "oms.test", "DetailType": "Probed", "Detail": "{}"}]}),
    }
    method, params = by_service[kind.service]
    return [{"service": kind.service, "method": method, "params": params}]


def _gets(n: int) -> dict[str, Any]:
    get = {"TableName": "OrdersTable", "Key": {"PK": {"S": "PROBE"}, "SK": {"S": "ONE"}}}
    return {"calls": [{"service": "dynamodb", "method": "get_item", "params": get}] * n}


def _deliveries(stack: LocalStack, key: str) -> list[dict[str, Any]]:
    item = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": "DELIVERIES"}, "SK": {"S": key}}, ConsistentRead=True
    )
    runs = item.get("Item", {}).get("runs", {}).get("L", [])
    return [{"event": json.loads(run["M"]["event"]["S"]), "request_id": run["M"]["request_id"]["S"]} for run in runs]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: f"{kind.service}-{kind.name}")
def test_each_fault_kind_reaches_the_handler_as_the_aws_error(stack: LocalStack, kind: FaultKind) -> None:
    with chaos(rate=1.0, services=[kind.service], errors=[kind.name]) as report:
        [answer] = stack.invoke("ProbeFunction", {"calls": _calls_for(kind)})

    assert answer["error"] == kind.error
    assert answer["exception"] in (kind.error, "ClientError")
    assert answer["reasons"] == ([kind.reason, "None"] if kind.reason else [])
    # Every attempt the SDK makes of the call failed; the last one reached the handler.
    attempts = SDK_MAX_ATTEMPTS if kind.error in SDK_RETRIED else 1
    assert [(f.function, f.run, f.service, f.error, f.reason) for f in report.faults] == [
        ("ProbeFunction", 1, kind.service, kind.error, kind.reason)
    ] * attempts
    assert [fault.reached for fault in report.faults] == [False] * (attempts - 1) + [True]


def test_a_throttle_the_sdk_retries_past_never_reaches_the_handler(stack: LocalStack) -> None:
    with chaos(rate=0.5, seed=1, services=["dynamodb"], errors=["ThrottlingException"]) as report:
        answers = stack.invoke("ProbeFunction", _gets(40))

    absorbed = [fault for fault in report.faults if not fault.reached]
    assert absorbed and len(absorbed) > report.count()
    assert sum("error" in answer for answer in answers) == report.count()


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.service == "dynamodb"], ids=lambda kind: kind.name)
def test_the_domain_takes_each_dynamodb_fault_for_a_transient_error(stack: LocalStack, kind: FaultKind) -> None:
    [call] = _calls_for(kind)
    domain = {**call, "domain": "transact" if kind.reason else "db"}

    with chaos(rate=1.0, services=["dynamodb"], errors=[kind.name]):
        [answer] = stack.invoke("ProbeFunction", {"calls": [domain]})

    assert answer["cause"] == kind.error
    assert answer["transient"]


def test_a_failed_call_changes_nothing_and_the_tests_own_calls_never_fail(stack: LocalStack) -> None:
    write = _calls_for(next(kind for kind in KINDS if kind.error == "TransactionConflictException"))

    with chaos(rate=1.0) as report:
        [answer] = stack.invoke("ProbeFunction", {"calls": write})
        seen = stack.client("dynamodb").get_item(
            TableName="OrdersTable", Key={"PK": {"S": "PROBE"}, "SK": {"S": "ONE"}}, ConsistentRead=True
        )

    assert "error" in answer
    assert "Item" not in seen
    assert {fault.function for fault in report.faults} == {"ProbeFunction"}
    assert report.count() == 1


def test_rate_zero_injects_nothing(stack: LocalStack) -> None:
    with chaos(rate=0.0, seed=7) as report:
        answers = stack.invoke("ProbeFunction", _gets(50))

    assert answers == [{"ok": True}] * 50
    assert report.faults == []
    assert report.runs["ProbeFunction"] == 1


def test_a_rate_fails_about_that_fraction_of_calls(stack: LocalStack) -> None:
    with chaos(rate=0.25, seed=3, services=["dynamodb"]) as report:
        answers = [answer for _ in range(8) for answer in stack.invoke("ProbeFunction", _gets(50))]

    failed = [answer for answer in answers if "error" in answer]
    attempts = len(report.faults) + len(answers) - len(failed)
    assert len(failed) == report.count()
    assert 0.15 < len(report.faults) / attempts < 0.35


def test_a_seed_reproduces_the_same_faults_and_another_seed_does_not(stack: LocalStack) -> None:
    def faults(seed: int) -> list[tuple[int, str, str]]:
        with chaos(rate=0.3, seed=seed, twice=0.5) as report:
            for _ in range(6):
                stack.invoke("ProbeFunction", _gets(10))
        return [(fault.run, fault.operation, fault.error) for fault in report.faults] + [
            (duplicate.first, "twice", str(duplicate.second)) for duplicate in report.duplicates
        ]

    first, again, other = faults(7), faults(7), faults(8)

    assert first == again
    assert first != other
    assert any(entry[1] == "twice" for entry in first)


def test_twice_delivers_a_direct_invocation_again_and_answers_the_first(stack: LocalStack) -> None:
    with chaos(twice=True) as report:
        answer = stack.invoke("CountFunction", {"key": "api"})

    runs = _deliveries(stack, "api")
    assert answer == {"counted": "api"}
    assert [run["event"] for run in runs] == [{"key": "api"}, {"key": "api"}]
    assert runs[0]["request_id"] == runs[1]["request_id"]
    assert report.runs["CountFunction"] == 2
    [duplicate] = report.duplicates
    assert (duplicate.function, duplicate.first, duplicate.second, duplicate.same_answer) == (
        "CountFunction",
        1,
        2,
        True,
    )


def test_twice_runs_each_state_machine_task_again_and_a_waiting_one_with_the_same_token(stack: LocalStack) -> None:
    sfn = stack.client("stepfunctions")

    with chaos(twice=True) as report:
        sfn.start_execution(
            stateMachineArn=stack.resources.state_machine_arn, name="o1", input=json.dumps({"key": "o1"})
        )
        stack.settle()

    assert len(_deliveries(stack, "o1")) == 2
    parked = _deliveries(stack, "park-o1")
    assert len(parked) == 2
    assert parked[0]["event"] == parked[1]["event"]
    assert parked[0]["event"]["task_token"]
    assert report.runs["CountFunction"] == 4
    history = stack.execution("o1")
    assert history["status"] == "RUNNING"
    assert history["states"] == ["Count", "Park"]


def test_twice_delivers_schedule_and_rule_targets_again(stack: LocalStack) -> None:
    at = (oms_clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    stack.client("scheduler").create_schedule(
        Name="remind-o2",
        GroupName="oms-local-schedules",
        ScheduleExpression=f"at({at})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": stack.resources.arns["RemindFunction"],
            "RoleArn": stack.resources.arns["SchedulerRole"],
            "Input": json.dumps({"order_id": "o2"}),
        },
    )

    with chaos(twice=True) as report:
        assert stack.advance(3601)["fired"] == ["remind-o2"]

    # The schedule's target runs twice and announces twice; each announcement's rule target runs twice.
    assert (report.runs["RemindFunction"], report.runs["RecordFunction"]) == (2, 4)
    assert len(report.duplicates) == 3


def test_the_stack_and_the_test_are_never_failed_only_the_handlers(stack: LocalStack) -> None:
    sfn = stack.client("stepfunctions")

    with chaos(rate=1.0, services=["stepfunctions", "dynamodb"], errors=["ThrottlingException"]) as report:
        sfn.start_execution(
            stateMachineArn=stack.resources.state_machine_arn, name="o3", input=json.dumps({"key": "o3"})
        )
        stack.settle()
        history = stack.execution("o3")

    failed = [event for event in history["history"] if event["type"] == "LambdaFunctionFailed"]
    assert history["status"] == "FAILED"
    assert [event["lambdaFunctionFailedEventDetails"]["error"] for event in failed] == ["ThrottlingException"]
    assert {(fault.function, fault.service) for fault in report.faults} == {("CountFunction", "dynamodb")}
    assert report.count() == 1


def test_one_chaos_at_a_time_and_only_known_kinds(stack: LocalStack) -> None:
    with chaos(rate=0.1), pytest.raises(RuntimeError, match="one chaos at a time"), chaos(rate=0.1):
        pass
    with pytest.raises(ValueError, match="no fault kind"), chaos(rate=0.1, services=["lambda"]):
        pass
    with pytest.raises(ValueError, match="fraction"), chaos(rate=1.5):
        pass
