"""The order state machine of docs/architecture.md, one Standard execution per order."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.config import Config, acknowledge, stable_id
from infra.constructs.functions import Functions
from oms.steps import (
    AllocationOutput,
    CompensateStep,
    DispatchStep,
    Next,
    NotifyStep,
    OrderStep,
    Wake,
    field,
)

TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
]

# Where the state machine keeps each step's answer, and the field names it reads, from oms.steps.
ORDER_ID = field(OrderStep, "order_id")
ALLOCATION = "$.allocation"
OUTCOME_EMAIL = f"{ALLOCATION}.{field(AllocationOutput, 'email')}"
SHIPMENT_IDS = f"{ALLOCATION}.{field(AllocationOutput, 'shipment_ids')}"
WAKE = "$.wake"
NEXT = f"{WAKE}.{field(Wake, 'next')}"


def _retry_transient(task: sfn.TaskStateBase, *extra_errors: str) -> None:
    task.add_retry(
        errors=[*TRANSIENT_ERRORS, *extra_errors],
        interval=Duration.seconds(2),
        backoff_rate=2,
        max_attempts=4,
    )


class Workflow(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, functions: Functions) -> None:
        super().__init__(scope, construct_id)
        self._functions = functions

        # One loop per allocation round: the first allocation, a receipt's release, a re-allocation after
        # a rejection. Between rounds the execution waits on one task token; the partners' updates do the
        # per-status work where they arrive and wake it only when its path changes.
        allocate = self._step("Allocate", "allocate", {f"{ORDER_ID}.$": f"$.{ORDER_ID}"}, result_path=ALLOCATION)
        _retry_transient(allocate, "ReservationConflict")
        notify_outcome = self._step(
            "NotifyOutcome",
            "notify",
            {f"{ORDER_ID}.$": f"$.{ORDER_ID}", f"{field(NotifyStep, 'kind')}.$": OUTCOME_EMAIL},
        )
        _retry_transient(notify_outcome)
        # payload_response_only can't combine with a task token: the task's output is what the token is
        # resumed with, {"next": ...}, so it lands in $.wake unwrapped.
        dispatch_and_wait = tasks.LambdaInvoke(
            self,
            "DispatchAndWait",
            lambda_function=functions["dispatch"],
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object(
                {
                    f"{ORDER_ID}.$": f"$.{ORDER_ID}",
                    f"{field(DispatchStep, 'shipment_ids')}.$": SHIPMENT_IDS,
                    field(DispatchStep, "task_token"): sfn.JsonPath.task_token,
                }
            ),
            retry_on_service_exceptions=False,
            result_path=WAKE,
        )
        _retry_transient(dispatch_and_wait)

        error = field(CompensateStep, "error")
        compensate = self._step(
            "Compensate", "compensate", {f"{ORDER_ID}.$": f"$.{ORDER_ID}", f"{error}.$": f"$.{error}"}
        )
        _retry_transient(compensate)
        compensate.next(sfn.Fail(self, "OrderFailed", error="OrderFailed", cause="The order could not be completed."))
        for step in (allocate, notify_outcome, dispatch_and_wait):
            step.add_catch(compensate, errors=[sfn.Errors.ALL], result_path=f"$.{error}")

        what_next = (
            sfn.Choice(self, "WhatNext")
            .when(sfn.Condition.string_equals(NEXT, Next.ALLOCATE.value), allocate)
            .otherwise(sfn.Succeed(self, "OrderSettled"))
        )
        definition = allocate.next(notify_outcome).next(dispatch_and_wait).next(what_next)

        self.log_group = logs.LogGroup(
            self, "OrderStateMachineLogs", retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=config.removal_policy,
        )  # fmt: skip
        stable_id(self.log_group, "OrderStateMachineLogs")
        self.state_machine = sfn.StateMachine(
            self,
            "OrderStateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            state_machine_type=sfn.StateMachineType.STANDARD,
            tracing_enabled=True,
            # Every state's entry and exit is logged, never its data: inputs and outputs carry ids only
            # (tests/infra), but a failed step's error carries the Lambda's stack trace and message, which
            # may quote an address. The execution history keeps the data for operators.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        stable_id(self.state_machine, "OrderStateMachine")
        stable_id(self.state_machine.role, "OrderStateMachineRole")
        acknowledge(
            self.state_machine.role,
            "IAM5[Resource::*]",
            "Tracing: X-Ray's PutTraceSegments and "
            "PutTelemetryRecords and the log delivery actions of Step Functions only accept Resource: *.",
        )
        for folder in ("allocate", "notify", "dispatch", "compensate"):
            acknowledge(
                self.state_machine.role,
                f"IAM5[Resource::<{functions[folder].node.id}.Arn>:*]",
                "CDK's LambdaInvoke grant names the step's function and its versions (<ARN>:*).",
            )
        self._allow_task_responses(
            functions["dispatch"], functions["tracking"], functions["admin_api"], functions["cancel_order"]
        )

    def _step(
        self, state_name: str, folder: str, payload: dict, *, result_path: str = sfn.JsonPath.DISCARD
    ) -> tasks.LambdaInvoke:
        return tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=self._functions[folder],
            payload=sfn.TaskInput.from_object(payload),
            payload_response_only=True,
            # Our own Retry (TRANSIENT_ERRORS) replaces the CDK default one, so there is one policy.
            retry_on_service_exceptions=False,
            result_path=result_path,
        )

    def _allow_task_responses(self, *functions: lambda_.Function) -> None:
        # A separate policy, not the roles' default ones: the functions must not depend on the
        # state machine that depends on them.
        iam.Policy(
            self,
            "TaskResponsePolicy",
            roles=[function.role for function in functions if function.role],
            statements=[
                # Success only: a waiting task is resumed with the path it takes next (oms/fulfilment/dispatch.py),
                # never failed from outside.
                iam.PolicyStatement(
                    actions=["states:SendTaskSuccess"],
                    resources=[self.state_machine.state_machine_arn],
                )
            ],
        )
