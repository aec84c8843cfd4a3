"""The OMS stack: wires one construct per concern and the seams between them."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import Config, acknowledge
from infra.constructs.api import Api
from infra.constructs.data import Data
from infra.constructs.email import Email
from infra.constructs.events import Events
from infra.constructs.functions import Functions
from infra.constructs.monitoring import Monitoring
from infra.constructs.webhooks import Webhooks
from infra.constructs.workflow import Workflow


class OmsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = Config.of(self)
        self.data = Data(self, "Data", config=self.config)
        self.events = Events(self, "Events", config=self.config)
        self.email = Email(self, "Email", config=self.config)
        self.functions = Functions(self, "Functions", config=self.config, data=self.data, email=self.email,
                                   events=self.events)  # fmt: skip
        self.workflow = Workflow(self, "Workflow", config=self.config, functions=self.functions)
        self.api = Api(self, "Api", config=self.config, functions=self.functions)
        self.webhooks = Webhooks(self, "Webhooks", config=self.config, functions=self.functions,
                                 bus=self.events.bus)  # fmt: skip
        self._wire_seams()
        Monitoring(
            self,
            "Monitoring",
            state_machine=self.workflow.state_machine,
            functions=self.functions.by_folder,
            rest_api=self.api.rest_api,
            other_alarms=(self.webhooks.alarm,),
        )
        CfnOutput(self, "ApiUrl", value=self.api.base_url, description="Base URL of the OMS API stage")
        CfnOutput(self, "StorefrontKeyId", value=self.api.storefront_key.key_id,
                  description="aws apigateway get-api-key --include-value --api-key <id>")  # fmt: skip
        CfnOutput(self, "AdminKeyId", value=self.api.admin_key.key_id,
                  description="aws apigateway get-api-key --include-value --api-key <id>")  # fmt: skip
        CfnOutput(self, "StateMachineArn", value=self.workflow.state_machine.state_machine_arn)

    def _allow_schedules(self, function: lambda_.Function) -> None:
        """Let `function` set one-time schedules in the group, run as the scheduler role."""
        function.add_environment("SCHEDULE_GROUP_NAME", self.events.schedule_group_name)
        function.add_environment("SCHEDULER_ROLE_ARN", self.events.scheduler_role.role_arn)
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:GetSchedule"],
                resources=[
                    self.format_arn(
                        service="scheduler",
                        resource="schedule",
                        resource_name=f"{self.events.schedule_group_name}/*",
                    )
                ],
            )
        )
        self.events.scheduler_role.grant_pass_role(function)
        acknowledge(
            function.role,
            "IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"  # type: ignore[arg-type]
            "schedule/<FeedbackSchedules>/*]",
            "Each order's schedules are named when they are set "
            "(a shipment's deadline, the feedback request): the stack's group is the narrowest scope.",
        )

    def _wire_seams(self) -> None:
        """Environment and permissions naming resources built after the functions.

        None of the referenced resources depends on the function that references it (the state
        machine depends on dispatch, which references only the scheduler, partner_deadline and followup,
        and followup only the REST API's id), so no dependency cycle arises.
        """
        place_order = self.functions["place_order"]
        place_order.add_environment("STATE_MACHINE_ARN", self.workflow.state_machine.state_machine_arn)
        self.workflow.state_machine.grant_start_execution(place_order)

        followup = self.functions["followup"]
        followup.add_environment("PUBLIC_BASE_URL", self.api.base_url)
        self.events.allow_target(followup)

        # The order's timers: whatever leaves the order shipped or delivered sets the feedback request's (a
        # partner's update, a customer's cancellation of the rest, or a round that cancels the last waiting
        # units, which Dispatch follows); Dispatch sets each shipment's partner deadline, whose first stage
        # sets the second.
        deadline = self.functions["partner_deadline"]
        self.events.allow_target(deadline)
        feedback_setters = [self.functions[folder] for folder in ("tracking", "cancel_order", "dispatch")]
        for setter in (*feedback_setters, deadline):
            self._allow_schedules(setter)
        for setter in feedback_setters:
            setter.add_environment("FOLLOWUP_FUNCTION_ARN", followup.function_arn)
        self.functions["dispatch"].add_environment("DEADLINE_FUNCTION_ARN", deadline.function_arn)

        # The key's id is what API Gateway puts in requestContext.identity.apiKeyId; the key depends on
        # nothing, so the function referencing it closes no cycle.
        self.functions["admin_api"].add_environment("ADMIN_API_KEY_ID", self.api.admin_key.key_id)
