"""An exception on an execution's interpreter thread fails that execution and no other request."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from stack_fixtures import stack  # noqa: F401 - the fixture

from local import moto_fixes

_PASS_THROUGH = json.dumps({"StartAt": "Go", "States": {"Go": {"Type": "Pass", "End": True}}})


def _parked_token(stack, order_id: str) -> str:  # noqa: F811
    stack.client("dynamodb").put_item(
        TableName="OrdersTable", Item={"PK": {"S": "SKU#A"}, "SK": {"S": "STOCK"}, "available": {"N": "5"}}
    )
    stack.invoke("StartFunction", {"body": json.dumps({"order_id": order_id, "sku": "A", "quantity": 1})})
    stack.settle()
    item = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": f"ORDER#{order_id}"}, "SK": {"S": "TOKEN"}}
    )["Item"]
    return str(item["token"]["S"])


def _crash_execution_named(monkeypatch, owner: type, attribute: str, name: str) -> None:
    original = getattr(owner, attribute)

    def crashing(self, *args, **kwargs):
        worker = self if isinstance(self, ExecutionWorker) else self.execution.exec_worker
        if worker._evaluation_details.execution_details.name == name:
            raise RuntimeError("injected into the interpreter")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, attribute, crashing)


def _start(stack, name: str) -> str:  # noqa: F811
    sfn = stack.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"Machine-{name}", roleArn=stack.resources.arns["MachineRole"], definition=_PASS_THROUGH
    )
    return str(sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=name, input="{}")["executionArn"])


@pytest.mark.parametrize(
    ("owner", "attribute"),
    [
        (ExecutionWorker, "_get_evaluation_entrypoint"),  # before the execution has an environment
        (BaseExecutionWorkerCommunication, "terminated"),  # after its program ran
    ],
)
def test_a_crashed_interpreter_thread_fails_its_execution_and_token_calls_still_work(
    stack,  # noqa: F811
    monkeypatch,
    owner,
    attribute,
):
    token = _parked_token(stack, "o1")
    _crash_execution_named(monkeypatch, owner, attribute, "boom")

    arn = _start(stack, "boom")
    stack.settle()
    stack.client("stepfunctions").send_task_success(taskToken=token, output="{}")
    stack.settle()

    described = stack.client("stepfunctions").describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "injected into the interpreter" in described["cause"]
    history = stack.client("stepfunctions").get_execution_history(executionArn=arn)["events"]
    assert history[-1]["type"] == "ExecutionFailed"
    assert stack.execution("o1")["states"][-1] == "Cool"
    with pytest.raises(ClientError, match="InvalidToken"):
        stack.client("stepfunctions").send_task_success(taskToken="not-a-live-token", output="{}")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_without_the_fix_one_crashed_execution_breaks_every_later_token_call(stack, monkeypatch):  # noqa: F811
    _crash_execution_named(monkeypatch, ExecutionWorker, "_get_evaluation_entrypoint", "boom")
    moto_fixes.undo(moto_fixes.surface_interpreter_crashes)
    try:
        arn = _start(stack, "boom")
        stack.settle()
        assert stack.client("stepfunctions").describe_execution(executionArn=arn)["status"] == "RUNNING"
        with pytest.raises(AttributeError, match="callback_pool_manager"):
            stack.client("stepfunctions").send_task_success(taskToken="not-a-live-token", output="{}")
    finally:
        moto_fixes.surface_interpreter_crashes()
