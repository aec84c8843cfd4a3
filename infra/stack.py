"""The OMS stack: wires one construct per concern and the seams between them."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Stack
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
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            config=self.config,
            state_machine=self.workflow.state_machine,
            functions=self.functions.by_folder,
            rest_api=self.api.rest_api,
            dead_letter_alarms=(*self.webhooks.dead_letter_alarms, *self.events.dead_letter_alarms),
        )
        self._outputs()

    def _outputs(self) -> None:
        """What an operator needs after a deploy (docs/operations.md): where to call, watch and look."""
        console = f"https://{Aws.REGION}.console.aws.amazon.com"
        key_value = "aws apigateway get-api-key --include-value --query value --output text --api-key <id>"
        state_machine_arn = self.workflow.state_machine.state_machine_arn
        dashboard_name = self.monitoring.dashboard.dashboard_name
        outputs = {
            "ApiUrl": (self.api.base_url, "Base URL of the OMS API stage"),
            "StorefrontKeyId": (self.api.storefront_key.key_id, f"The storefront's API key: {key_value}"),
            "AdminKeyId": (self.api.admin_key.key_id, f"The admin API key (oms seed, operators): {key_value}"),
            "Sender": (self.email.sender, "The from-address SES must have verified (the SenderAddress parameter)"),
            "StateMachineArn": (state_machine_arn, "One execution per order, named by the order id"),
            "StateMachineConsoleUrl": (
                f"{console}/states/home?region={Aws.REGION}#/statemachines/view/{state_machine_arn}",
                "Watch and redrive the orders' executions",
            ),
            "DashboardName": (dashboard_name, "The OMS CloudWatch dashboard"),
            "DashboardUrl": (
                f"{console}/cloudwatch/home?region={Aws.REGION}#dashboards/dashboard/{dashboard_name}",
                "The OMS CloudWatch dashboard in the console",
            ),
            "OrdersTableName": (self.data.orders.table_name, "Orders, shipments, timelines"),
            "InventoryTableName": (self.data.inventory.table_name, "Stock per SKU and location, the ledger"),
            "CatalogTableName": (self.data.catalog.table_name, "Products, partners, settings"),
            "IdempotencyTableName": (self.data.idempotency.table_name, "Idempotency-Key records (expire)"),
            "EventBusName": (self.events.bus.event_bus_name, "The order's domain events"),
            "ScheduleGroupName": (self.events.schedule_group_name, "Partner deadlines and feedback requests"),
            "WebhookQueueName": (self.webhooks.queue.queue_name, "Webhooks waiting for delivery"),
            "OperatorsTopicArn": (
                self.monitoring.topic.topic_arn,
                "Every alarm notifies it: aws sns subscribe --topic-arn <arn> --protocol email ...",
            ),
            "WebhookDeadLetterQueueName": (
                self.webhooks.dead_letter_queue.queue_name,
                "Webhooks that failed every attempt: POST /webhooks/dead-letters/redrive",
            ),
        }
        for output_id, (value, description) in outputs.items():
            CfnOutput(self, output_id, value=value, description=description)

    def _allow_schedules(self, function: lambda_.Function) -> None:
        """Let `function` set one-time schedules in the group, run as the scheduler role."""
        function.add_environment("SCHEDULE_GROUP_NAME", self.events.schedule_group_name)
        function.add_environment("SCHEDULER_ROLE_ARN", self.events.scheduler_role.role_arn)
        function.add_environment("SCHEDULE_DEAD_LETTER_QUEUE_ARN", self.events.schedule_dead_letter_queue.queue_arn)
        function.add_to_role_policy(
            iam.PolicyStatement(
                # oms/schedules.py creates a schedule, or updates it when the name exists; it never reads one.
                actions=["scheduler:CreateSchedule", "scheduler:UpdateSchedule"],
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
