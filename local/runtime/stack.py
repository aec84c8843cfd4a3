"""The local stack: a synthesized template provisioned into moto, with handlers, clock and outbox in-process."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from moto import mock_aws
from moto.core.config import DefaultConfig

from local import chaos, meter, moto_fixes
from local.aws import clients
from local.aws.provision import Resources, provision
from local.aws.template import ACCOUNT_ID, REGION, Template
from local.runtime import outbox
from local.runtime.clock import LocalClock
from local.runtime.lambda_runtime import FUNCTIONS_DIR, LambdaRuntime
from local.runtime.queue_poller import QueuePoller
from local.runtime.settle import Settler
from oms import clock as oms_clock

SETTLE_TIMEOUT_SECONDS = 30.0


def moto_config(executions: bool = True) -> DefaultConfig:
    """The mock_aws config the local stack needs: real ASL execution (unless `executions` is off, for
    tests of one handler at a time), Lambda through the runtime seam."""
    return {
        "stepfunctions": {"execute_state_machine": executions},
        "lambda": {"use_docker": True},
        "core": {"reset_boto3_session": True},
    }


class LocalStack:
    """One provisioned template inside an active moto mock."""

    def __init__(self, template: Template, resources: Resources, runtime: LambdaRuntime) -> None:
        self.template = template
        self.resources = resources
        self.runtime = runtime
        self._settler = Settler()
        self.clock = LocalClock(settle=self.settle)
        self.poller = QueuePoller()
        self._settler.add_pending("visible messages in a queue mapped to a function", self.poller.has_visible)

    @classmethod
    def start(
        cls,
        template: dict[str, Any],
        settings_overrides: Mapping[str, str] | None = None,
        code_paths: Iterable[Path] = (FUNCTIONS_DIR,),
        poll_queues: bool = True,
    ) -> LocalStack:
        """Provision the template into the moto mock the caller opened and host its functions here; with
        `poll_queues` off, messages stay on their queues for a test to hand to a function itself."""
        moto_fixes.apply_all()
        # Before any handler makes a client: each carries the chaos hook, idle unless a chaos is open.
        chaos.hook_clients()
        meter.hook_clients()
        # moto logs every caught state failure at ERROR; the execution history already tells it.
        logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").setLevel(logging.CRITICAL)
        loaded = Template(template)
        resources = provision(loaded, settings_overrides)
        runtime = LambdaRuntime(resources.functions.values(), code_paths, settings_overrides)
        runtime.install()
        stack = cls(loaded, resources, runtime)
        if poll_queues:
            stack.poller.start()
        sender = runtime.env.get("OMS_SENDER")
        if sender:
            stack.verify_sender(sender)
        return stack

    @property
    def env(self) -> dict[str, str]:
        return self.runtime.env

    def client(self, service: str) -> Any:
        return clients.client(service)

    def verify_sender(self, address: str) -> None:
        """Verify an SES identity (the seed's sender), as an operator does once on AWS."""
        if "@" in address:
            self.client("ses").verify_email_identity(EmailAddress=address)
        else:
            self.client("ses").verify_domain_identity(Domain=address)

    def invoke(self, logical_id_or_folder: str, event: Any) -> Any:
        """Run one function's handler in-process, as API Gateway's proxy integration would."""
        return self.runtime.invoke(logical_id_or_folder, event)

    def settle(self, timeout: float = SETTLE_TIMEOUT_SECONDS) -> None:
        """Return once no invocation runs, every execution waits on a task token or the clock, and every
        mapped queue's visible messages have been delivered."""
        self._settler.settle(timeout)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.clock.advance(seconds)

    def outbox(self) -> list[dict[str, Any]]:
        return outbox.outbox(ACCOUNT_ID, REGION)

    def execution_arn(self, name: str, state_machine: str | None = None) -> str:
        machine_arn = (
            self.resources.state_machines[state_machine] if state_machine else self.resources.state_machine_arn
        )
        return machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"

    def execution(self, order_id: str, state_machine: str | None = None) -> dict[str, Any]:
        """The order's execution: status, input, output and its history events, oldest first."""
        sfn = self.client("stepfunctions")
        arn = self.execution_arn(order_id, state_machine)
        described = sfn.describe_execution(executionArn=arn)
        events: list[dict[str, Any]] = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events.extend(page["events"])
        return {
            "arn": arn,
            "status": described["status"],
            "input": json.loads(described.get("input") or "null"),
            "output": json.loads(described["output"]) if described.get("output") else None,
            "error": described.get("error"),
            "cause": described.get("cause"),
            "history": events,
            "states": [_state_name(event) for event in events if _state_name(event)],
        }

    def stop(self) -> None:
        """Stop the clock's ticker and the queue poller, abort running executions and give the process its
        environment back."""
        self.clock.stop_ticker()
        self.poller.stop()
        sfn = self.client("stepfunctions")
        for machine_arn in self.resources.state_machines.values():
            for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=machine_arn, statusFilter="RUNNING"
            ):
                for execution in page["executions"]:
                    with contextlib.suppress(Exception):
                        sfn.stop_execution(executionArn=execution["executionArn"], error="LocalStackStopped")
        self.runtime.uninstall()


def _state_name(event: dict[str, Any]) -> str | None:
    details = event.get("stateEnteredEventDetails")
    return details["name"] if details else None


@contextlib.contextmanager
def local_stack(
    template: dict[str, Any],
    settings_overrides: Mapping[str, str] | None = None,
    code_paths: Iterable[Path] = (FUNCTIONS_DIR,),
    sleep_mode: str = "clock",
    executions: bool = True,
) -> Iterator[LocalStack]:
    """Open moto, start the stack on the template, and tear everything down (clock included) after.

    With `executions` off, a started execution is recorded but never runs and no queue is polled: each
    handler is then exercised on its own, the way the function tier tests it."""
    moto_fixes.apply_all()
    moto_fixes.set_sleep_mode(sleep_mode)
    moto_fixes.clear_recorded_sleeps()
    with mock_aws(config=moto_config(executions)):
        stack = LocalStack.start(template, settings_overrides, code_paths, poll_queues=executions)
        try:
            yield stack
        finally:
            stack.stop()
            oms_clock.reset()
            moto_fixes.set_sleep_mode("clock")
