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

TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
]
SETTLED_STATUSES = ("DELIVERED", "REJECTED", "CANCELLED")


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

        allocate = self._step("Allocate", "allocate", {"order_id.$": "$.order_id"}, result_path="$.allocation")
        _retry_transient(allocate, "ReservationConflict")
        notify_outcome = self._step(
            "NotifyOutcome", "notify", {"order_id.$": "$.order_id", "kind.$": "$.allocation.email"}
        )
        _retry_transient(notify_outcome)

        shipments = sfn.Map(
            self,
            "Shipments",
            items_path="$.allocation.shipment_ids",
            item_selector={"order_id.$": "$.order_id", "shipment_id.$": "$$.Map.Item.Value", "seen": "SENT"},
            result_path=sfn.JsonPath.DISCARD,
        )
        shipments.item_processor(self._shipment_life())

        compensate = self._step("Compensate", "compensate", {"order_id.$": "$.order_id", "error.$": "$.error"})
        _retry_transient(compensate)
        compensate.next(sfn.Fail(self, "OrderFailed", error="OrderFailed", cause="The order could not be completed."))
        for step in (allocate, notify_outcome, shipments):
            step.add_catch(compensate, errors=[sfn.Errors.ALL], result_path="$.error")

        anything_to_ship = (
            sfn.Choice(self, "AnythingToShip")
            .when(
                sfn.Condition.string_equals("$.allocation.outcome", "CANCELLED"),
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
            # The state holds ids and statuses only, so execution data carries no customer data.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ERROR, include_execution_data=True),
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
                    "order_id.$": "$.order_id",
                    "shipment_id.$": "$.shipment_id",
                    "seen.$": "$.seen",
                    "task_token": sfn.JsonPath.task_token,
                }
            ),
            retry_on_service_exceptions=False,
            result_path="$.progress",
        )
        _retry_transient(dispatch)
        notify_shipment = self._step(
            "NotifyShipment", "notify", {"order_id.$": "$.order_id", "shipment_id.$": "$.shipment_id"}
        )
        _retry_transient(notify_shipment)
        schedule_followup = self._step("ScheduleFollowup", "schedule_followup", {"order_id.$": "$.order_id"})
        _retry_transient(schedule_followup)
        remember = sfn.Pass(
            self,
            "Remember",
            parameters={"order_id.$": "$.order_id", "shipment_id.$": "$.shipment_id", "seen.$": "$.progress.status"},
        )
        settled = sfn.Condition.or_(
            *(sfn.Condition.string_equals("$.progress.status", status) for status in SETTLED_STATUSES)
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
