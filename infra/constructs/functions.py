"""The Lambda functions: one per folder of functions/, each with its own role and log group."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import Config, acknowledge, stable_id
from infra.constructs.data import Data
from infra.constructs.email import Email
from infra.constructs.events import Events
from infra.packaging import ARCHITECTURE, FUNCTIONS_DIR, RUNTIME, dependencies_layer_code

# Tables with indexes: a read grant names `<table ARN>/index/*`, every index of that table.
INDEXED_TABLES = ("OrdersTable", "InventoryTable")
API_TIMEOUT = Duration.seconds(20)  # under API Gateway's 29 s integration limit
STEP_TIMEOUT = Duration.seconds(60)
# A batch of webhook deliveries, each up to its 5 s timeout (oms.webhooks), with room to spare.
WEBHOOK_TIMEOUT = Duration.seconds(60)
# Memory, in MB. Importing any handler peaks near 70 MB of resident memory (measured on the development
# machine), so memory buys CPU here, not room: Lambda gives CPU in proportion to memory (one vCPU at
# 1,769 MB), and a cold start's imports (pydantic, Powertools, boto3: about 0.8 s on one full core there)
# run at that share. A client waits on an API function: it gets twice the background functions' share.
API_MEMORY = 1024
# A step, a timer or a queue consumer: no one waits on its milliseconds, and its time is mostly spent
# waiting on DynamoDB, SES or a partner's endpoint, which more CPU does not shorten.
BACKGROUND_MEMORY = 512
# Powertools' service and namespace: every custom metric is OMS/<name> with the dimension service=oms.
SERVICE_NAME = "oms"
METRICS_NAMESPACE = "OMS"
# The DynamoDB calls the repository makes (oms/repository/, Powertools' idempotency layer): get_item,
# batch_get_item and query to read; put_item, update_item, delete_item and transact_write_items (whose
# items are Puts, Updates and Deletes, authorised as those actions) to write. No Scan: no function scans a
# table (allocation reads every partner from one directory item), so no role may; no BatchWriteItem,
# ConditionCheckItem, DescribeTable or stream reads either, which CDK's table grants would add.
TABLE_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
TABLE_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


@dataclass(frozen=True)
class Job:
    """What one function may touch: its role is built from this and nothing else."""

    folder: str
    orders: str = "rw"  # "r", "rw", "put" (new items only) or ""
    inventory: str = ""
    catalog: str = ""
    idempotency: bool = False  # Powertools idempotency records
    events: bool = False  # publishes domain events to the bus
    emails: bool = False
    partner_secrets: bool = False  # verifies partners' signatures
    manages_partners: bool = False  # writes partners' secrets (creates them, rotates them)
    feedback_key: bool = False
    # Webhooks (infra/constructs/webhooks.py): "enqueue" puts partners' requests on the webhook queue,
    # "deliver" consumes it and signs with the partners' and the storefront's secrets, "redrive" moves the
    # dead-letter queue's messages back.
    webhooks: str = ""
    timeout: Duration = STEP_TIMEOUT
    memory: int = BACKGROUND_MEMORY  # MB; API_MEMORY where a client waits (see above)

    @property
    def construct_id(self) -> str:
        return "".join(part.capitalize() for part in self.folder.split("_")) + "Function"


# The function table of docs/architecture.md: each right is one the function's code uses. Task-token,
# execution and scheduler permissions name resources built elsewhere, so the workflow and the stack
# grant them.
JOBS: tuple[Job, ...] = (
    Job("place_order", catalog="r", timeout=API_TIMEOUT, memory=API_MEMORY),
    Job("orders_api", orders="r", timeout=API_TIMEOUT, memory=API_MEMORY),
    # The customer's cancellation: releases stock, tells partners and the customer, wakes the execution,
    # and sets the feedback schedule when what is left has shipped (granted by the stack).
    Job("cancel_order", inventory="rw", catalog="r", events=True, emails=True, webhooks="enqueue",
        timeout=API_TIMEOUT, memory=API_MEMORY),
    # Allocate finishes a customer's cancellation that stopped half way: its partners are told.
    Job("allocate", inventory="rw", catalog="r", events=True, webhooks="enqueue"),
    Job("notify", catalog="r", emails=True),
    # Partners' requests and cancellations: email, and the webhook where the partner has one.
    Job("dispatch", catalog="r", events=True, emails=True, webhooks="enqueue"),
    # A partner's update does its per-status work where it arrives: the customer's emails and the
    # feedback schedule (granted by the stack, which knows the schedule group).
    Job("tracking", inventory="rw", catalog="r", events=True, emails=True, partner_secrets=True,
        timeout=API_TIMEOUT, memory=API_MEMORY),
    Job("followup", catalog="r", events=True, emails=True, feedback_key=True),
    # A partner's deadline: an exception and the customer's email, then the order flagged for operators.
    Job("partner_deadline", catalog="r", events=True, emails=True),
    # The customer's click on the feedback link: a browser waits.
    Job("feedback", events=True, feedback_key=True, timeout=API_TIMEOUT, memory=API_MEMORY),
    # Compensation releases stock, marks the order FAILED and emails the customer.
    Job("compensate", inventory="rw", catalog="r", events=True, emails=True, webhooks="enqueue"),
    # The admin API: stock counts and receipts (Idempotency-Key; a receipt releases backordered orders
    # and wakes their executions), products, partners and their secrets, the order list.
    Job("admin_api", orders="rw", inventory="rw", catalog="rw", idempotency=True, events=True,
        manages_partners=True, webhooks="redrive", timeout=API_TIMEOUT, memory=API_MEMORY),
    # The API's REQUEST authorizer: reads the API keys' secrets (granted by the Api construct, which makes them).
    Job("authorizer", orders="", timeout=API_TIMEOUT, memory=API_MEMORY),
    # The webhook queue's consumer: reads the partner's webhook_url, signs, POSTs, records the attempt.
    Job("deliver_webhooks", orders="put", catalog="r", webhooks="deliver", timeout=WEBHOOK_TIMEOUT),
)  # fmt: skip


class Functions(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: Config, data: Data, email: Email, events: Events
    ) -> None:
        super().__init__(scope, construct_id)
        self._data = data
        self._email = email
        self._events = events
        self.partner_secrets_arn = Stack.of(self).format_arn(
            service="secretsmanager", resource="secret", resource_name=f"{config.partner_secret_prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )  # fmt: skip
        # The ARN as cdk-nag prints it, for the acknowledgement of its wildcard.
        self._partner_secrets_nag_arn = (
            f"arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:{config.partner_secret_prefix}*"
        )
        self.layer = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=dependencies_layer_code(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="functions/requirements.txt for the OMS functions",
        )
        self._code = lambda_.Code.from_asset(
            str(FUNCTIONS_DIR),
            exclude=["tests", "**/tests", "**/__pycache__", "**/*.pyc", ".mypy_cache", "requirements.txt"],
        )
        self._environment = {
            "ORDERS_TABLE": data.orders.table_name,
            "INVENTORY_TABLE": data.inventory.table_name,
            "CATALOG_TABLE": data.catalog.table_name,
            "IDEMPOTENCY_TABLE": data.idempotency.table_name,
            "EVENT_BUS_NAME": events.bus.event_bus_name,
            "PARTNER_SECRET_PREFIX": config.partner_secret_prefix,
            "SES_CONFIGURATION_SET": email.configuration_set_name,
            **config.settings_environment(),
            **email.environment(),
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }
        self.by_folder: dict[str, lambda_.Function] = {job.folder: self._function(job, config) for job in JOBS}

    def __getitem__(self, folder: str) -> lambda_.Function:
        return self.by_folder[folder]

    def _function(self, job: Job, config: Config) -> lambda_.Function:
        name = job.construct_id
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs the {job.folder} function.",
        )
        stable_id(role, f"{name}Role")
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=config.removal_policy
        )
        stable_id(log_group, f"{name}Logs")
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{job.folder}.handler.lambda_handler",
            code=self._code,
            layers=[self.layer],
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            memory_size=job.memory,
            timeout=job.timeout,
            environment=self._environment_of(job),
            description=f"OMS {job.folder}",
        )
        stable_id(function, name)
        # Active tracing: X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN.
        acknowledge(
            role, "IAM5[Resource::*]", "X-Ray's PutTraceSegments and PutTelemetryRecords only accept Resource: *."
        )
        self._grant(job, function)
        return function

    def _environment_of(self, job: Job) -> dict[str, str]:
        environment = dict(self._environment)
        if job.feedback_key:
            environment["FEEDBACK_KEY_SECRET_ARN"] = self._events.feedback_key.secret_arn
        return environment

    def _grant(self, job: Job, function: lambda_.Function) -> None:
        tables = {
            self._data.orders: job.orders,
            self._data.inventory: job.inventory,
            self._data.catalog: job.catalog,
            self._data.idempotency: "rw" if job.idempotency else "",
        }
        for table, access in tables.items():
            if access and table.node.id in INDEXED_TABLES:  # the construct id is the logical id
                acknowledge(
                    function.role,
                    f"IAM5[Resource::<{table.node.id}.Arn>/index/*]",
                    "Queries go "
                    "through the table's indexes (oms/repository/keys.py); CDK's table grant names "
                    "them as <table ARN>/index/*.",
                )
            if access == "rw":
                table.grant(function, *TABLE_READ, *TABLE_WRITE)
            elif access == "r":
                table.grant(function, *TABLE_READ)
            elif access == "put":
                table.grant(function, "dynamodb:PutItem")
        if job.events:
            self._events.bus.grant_put_events_to(function)
        if job.emails:
            # SESv2's SendEmail, raw content included, is authorised as ses:SendEmail alone (SendRawEmail is
            # the v1 API's, which no function calls).
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["ses:SendEmail"], resources=self._email.sending_resources())
            )
        if job.partner_secrets or job.manages_partners:
            self.acknowledge_partner_secrets(function)
        if job.partner_secrets:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[self.partner_secrets_arn])
            )
        if job.manages_partners:
            # Reads the current value (a PUT of the same secret is no rotation), then creates or rotates it.
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=[
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:CreateSecret",
                        "secretsmanager:PutSecretValue",
                    ],
                    resources=[self.partner_secrets_arn],
                )
            )
        if job.feedback_key:
            # GetSecretValue only: CDK's grant_read adds DescribeSecret, which the code never calls.
            function.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"], resources=[self._events.feedback_key.secret_arn]
                )
            )

    def acknowledge_partner_secrets(self, function: lambda_.Function) -> None:
        acknowledge(
            function.role,
            f"IAM5[Resource::{self._partner_secrets_nag_arn}]",
            "One secret per partner, "
            "created by the admin API as partners are added: the partners' prefix is the narrowest "
            "name that covers them, and no other secret has it.",
        )
