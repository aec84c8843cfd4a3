"""The order state machine of docs/architecture.md, one Standard execution per order."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.config import Config, stable_id
from infra.constructs.functions import Functions
from oms.statuses import SETTLED_STATUSES, ShipmentStatus
from oms.steps import (
    AllocationOutcome,
    AllocationOutput,
    CompensateStep,
    DispatchStep,
    NotifyStep,
    OrderStep,
    Progress,
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
SHIPMENT_ID = field(NotifyStep, "shipment_id")
ALLOCATION = "$.allocation"
OUTCOME = f"{ALLOCATION}.{field(AllocationOutput, 'outcome')}"
OUTCOME_EMAIL = f"{ALLOCATION}.{field(AllocationOutput, 'email')}"
SHIPMENT_IDS = f"{ALLOCATION}.{field(AllocationOutput, 'shipment_ids')}"
PROGRESS = "$.progress"
PROGRESS_STATUS = f"{PROGRESS}.{field(Progress, 'status')}"
SEEN = field(DispatchStep, "seen")


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

        allocate = self._step("Allocate", "allocate", {f"{ORDER_ID}.$": f"$.{ORDER_ID}"}, result_path=ALLOCATION)
        _retry_transient(allocate, "ReservationConflict")
        notify_outcome = self._step(
            "NotifyOutcome",
            "notify",
            {f"{ORDER_ID}.$": f"$.{ORDER_ID}", f"{field(NotifyStep, 'kind')}.$": OUTCOME_EMAIL},
        )
        _retry_transient(notify_outcome)

        shipments = sfn.Map(
            self,
            "Shipments",
            items_path=SHIPMENT_IDS,
            item_selector={
                f"{ORDER_ID}.$": f"$.{ORDER_ID}",
                f"{SHIPMENT_ID}.$": "$$.Map.Item.Value",
                SEEN: ShipmentStatus.SENT.value,
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        shipments.item_processor(self._shipment_life())

        error = field(CompensateStep, "error")
        compensate = self._step(
            "Compensate", "compensate", {f"{ORDER_ID}.$": f"$.{ORDER_ID}", f"{error}.$": f"$.{error}"}
        )
        _retry_transient(compensate)
        compensate.next(sfn.Fail(self, "OrderFailed", error="OrderFailed", cause="The order could not be completed."))
        for step in (allocate, notify_outcome, shipments):
            step.add_catch(compensate, errors=[sfn.Errors.ALL], result_path=f"$.{error}")

        anything_to_ship = (
            sfn.Choice(self, "AnythingToShip")
            .when(
                sfn.Condition.string_equals(OUTCOME, AllocationOutcome.CANCELLED.value),
                sfn.Succeed(self, "OrderCancelled"),
            )
            .otherwise(shipments.next(sfn.Succeed(self, "OrderDone")))
        )
        definition = allocate.next(notify_outcome).next(anything_to_ship)

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
            # Execution data stays out of the log: a failed step's data carries the Lambda error's stack
            # trace. The history keeps it for operators; the log says which state failed and when.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
        )
        stable_id(self.state_machine, "OrderStateMachine")
        stable_id(self.state_machine.role, "OrderStateMachineRole")
        self._allow_task_responses(functions["dispatch"], functions["tracking"])

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

    def _shipment_life(self) -> sfn.IChainable:
        """Dispatch, then follow the shipment through each status the partner reports."""
        # payload_response_only can't combine with a task token: the task's output is what
        # the token is resumed with, {"status": ...}, so it lands in $.progress unwrapped.
        dispatch = tasks.LambdaInvoke(
            self,
            "Dispatch",
            lambda_function=self._functions["dispatch"],
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object(
                {
                    f"{ORDER_ID}.$": f"$.{ORDER_ID}",
                    f"{SHIPMENT_ID}.$": f"$.{SHIPMENT_ID}",
                    f"{SEEN}.$": f"$.{SEEN}",
                    "task_token": sfn.JsonPath.task_token,
                }
            ),
            retry_on_service_exceptions=False,
            result_path=PROGRESS,
        )
        _retry_transient(dispatch)
        notify_shipment = self._step(
            "NotifyShipment", "notify", {f"{ORDER_ID}.$": f"$.{ORDER_ID}", f"{SHIPMENT_ID}.$": f"$.{SHIPMENT_ID}"}
        )
        _retry_transient(notify_shipment)
        schedule_followup = self._step("ScheduleFollowup", "schedule_followup", {f"{ORDER_ID}.$": f"$.{ORDER_ID}"})
        _retry_transient(schedule_followup)
        remember = sfn.Pass(
            self,
            "Remember",
            parameters={
                f"{ORDER_ID}.$": f"$.{ORDER_ID}",
                f"{SHIPMENT_ID}.$": f"$.{SHIPMENT_ID}",
                f"{SEEN}.$": PROGRESS_STATUS,
            },
        )
        settled = sfn.Condition.or_(
            *(sfn.Condition.string_equals(PROGRESS_STATUS, status.value) for status in sorted(SETTLED_STATUSES))
        )
        shipment_settled = (
            sfn.Choice(self, "ShipmentSettled")
            .when(settled, sfn.Succeed(self, "ShipmentDone"))
            .otherwise(remember.next(dispatch))
        )
        return dispatch.next(notify_shipment).next(schedule_followup).next(shipment_settled)

    def _allow_task_responses(self, *functions: lambda_.Function) -> None:
        # A separate policy, not the roles' default ones: the functions must not depend on the
        # state machine that depends on them.
        iam.Policy(
            self,
            "TaskResponsePolicy",
            roles=[function.role for function in functions if function.role],
            statements=[
                iam.PolicyStatement(
                    actions=["states:SendTaskSuccess", "states:SendTaskFailure"],
                    resources=[self.state_machine.state_machine_arn],
                )
            ],
        )
