"""Outgoing webhooks: the queue every delivery waits on, its dead-letter queue and alarm, the rule that
puts the storefront's domain events on it (with a dead-letter queue and alarm of its own), and the function
that signs and delivers them.

The storefront's rule is enabled only when the settings give a `storefront_webhook_url`: without one, every
event it put on the queue would be a delivery run that drops it (docs/decisions.md, 36).

EventBridge API destinations would deliver to an HTTP endpoint, but can't compute a per-request HMAC, so a
queue feeds a function that signs each request (docs/decisions.md, 26). The numbers live in
oms.webhooks: 12 attempts, 30 s doubling up to an hour, about 5 hours in all, 5 s per attempt.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import Config, exempt_from_lint, stable_id
from infra.constructs.dead_letters import dead_letter_alarm, dead_letter_queue
from infra.constructs.functions import JOBS, WEBHOOK_TIMEOUT, Functions
from infra.constructs.secrets import generated_secret
from oms.events import SOURCE
from oms.settings import ENABLED_BY
from oms.webhooks import MAX_ATTEMPTS, Target, window

# The domain events the storefront hears (CONTRACT section 4).
STOREFRONT_EVENTS = (
    "OrderAllocated",
    "UnitsBackordered",
    "BackorderReleased",
    "ShipmentSent",
    "ShipmentAccepted",
    "ShipmentRejected",
    "ShipmentShipped",
    "ShipmentInTransit",
    "ShipmentDelivered",
    "ShipmentException",
    "OrderCancelled",
    "OrderFailed",
)
BATCH_SIZE = 5
# AWS's advice for a queue feeding a function: six times the function's timeout.
VISIBILITY_TIMEOUT = Duration.seconds(6 * WEBHOOK_TIMEOUT.to_seconds())
# Longer than the whole retry window, so no delivery expires while it is still being tried.
RETENTION = Duration.days(4)
# EventBridge's own defaults, said out loud: a day of retries before the event is dead-lettered.
RULE_RETRIES = 185
RULE_MAX_AGE = Duration.hours(24)


class Webhooks(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, functions: Functions,
                 bus: events.IEventBus) -> None:  # fmt: skip
        super().__init__(scope, construct_id)
        assert RETENTION.to_seconds() > window()
        self.dead_letter_queue = dead_letter_queue(self, "WebhookDeadLetterQueue")
        # What the bus could not put on the webhook queue (its retries ran out, or the queue refused it).
        self.rule_dead_letter_queue = dead_letter_queue(
            self, "WebhookRuleDeadLetterQueue", named_by="the storefront rule's target (DeadLetterConfig)"
        )
        self.queue = sqs.Queue(
            self,
            "WebhookQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=VISIBILITY_TIMEOUT,
            retention_period=RETENTION,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=MAX_ATTEMPTS),
        )
        stable_id(self.queue, "WebhookQueue")

        # The storefront's signing secret: set its value to the one shared with the storefront.
        self.storefront_secret = generated_secret(
            self,
            "StorefrontWebhookSecret",
            config=config,
            secret_name=config.storefront_secret_name,
            description="HMAC secret OMS signs the storefront's webhooks with (settings.storefront_webhook_secret).",
            length=48,
            not_rotated_because="Shared with the storefront, which verifies the signatures "
            "with it: a rotation is agreed with the storefront and set by hand (put-secret-value); an "
            "automatic one would break every delivery until the storefront had the new value.",
        )

        self.rule = events.Rule(
            self,
            "StorefrontWebhookRule",
            event_bus=bus,
            description="The order's domain events, to the webhook queue for the storefront (enabled by its URL).",
            event_pattern=events.EventPattern(source=[SOURCE], detail_type=list(STOREFRONT_EVENTS)),
            enabled=bool(config.settings["storefront_webhook_url"]),
        )
        stable_id(self.rule, "StorefrontWebhookRule")
        # Which setting enables it: the local stack enables it as a deploy with the seed's settings would.
        rule_resource = self.rule.node.default_child
        assert isinstance(rule_resource, events.CfnRule)
        rule_resource.add_metadata(ENABLED_BY, "storefront_webhook_url")
        self.rule.add_target(
            targets.SqsQueue(
                self.queue,
                message=events.RuleTargetInput.from_object(
                    {"target": Target.STOREFRONT.value, "event": events.EventField.from_path("$.detail")}
                ),
                dead_letter_queue=self.rule_dead_letter_queue,
                retry_attempts=RULE_RETRIES,
                max_event_age=RULE_MAX_AGE,
            )
        )

        self.dead_letter_alarms: tuple[cloudwatch.Alarm, ...] = (
            dead_letter_alarm(
                self,
                "WebhookDeadLettersAlarm",
                self.dead_letter_queue,
                "A webhook failed every attempt and waits in the dead-letter queue: fix the receiver, then "
                "POST /webhooks/dead-letters/redrive.",
            ),
            dead_letter_alarm(
                self,
                "WebhookRuleDeadLettersAlarm",
                self.rule_dead_letter_queue,
                "The bus could not put a storefront event on the webhook queue: the message is the bus event, "
                "with the error in its attributes; the storefront has not heard of it. Check the queue's "
                "policy and key, then send the event's detail again.",
            ),
        )
        self._grant(functions)

    def _grant(self, functions: Functions) -> None:
        for job in JOBS:
            if not job.webhooks:
                continue
            function = functions[job.folder]
            function.add_environment("WEBHOOK_QUEUE_URL", self.queue.queue_url)
            # The calls the code makes (oms/webhooks.py, oms/delivery.py), not CDK's queue grants, which add
            # GetQueueUrl and GetQueueAttributes.
            if job.webhooks == "enqueue":
                self._allow(function, self.queue, "sqs:SendMessage")
            elif job.webhooks == "redrive":
                function.add_environment("WEBHOOK_DEAD_LETTER_QUEUE_URL", self.dead_letter_queue.queue_url)
                self._allow(function, self.queue, "sqs:SendMessage")
                self._allow(function, self.dead_letter_queue, "sqs:ReceiveMessage", "sqs:DeleteMessage")
            elif job.webhooks == "deliver":
                function.add_environment("STOREFRONT_WEBHOOK_SECRET_ID", self.storefront_secret.secret_arn)
                function.add_event_source(
                    sources.SqsEventSource(self.queue, batch_size=BATCH_SIZE, report_batch_item_failures=True)
                )
                for mapping in function.node.children:
                    if isinstance(mapping, lambda_.EventSourceMapping):
                        exempt_from_lint(
                            mapping,
                            "ES1001",
                            "An SQS event source takes no on-failure destination (Lambda allows one only for "
                            "streams and Kafka): a delivery that keeps failing moves to WebhookDeadLetterQueue "
                            "through the queue's RedrivePolicy, which has its alarm.",
                        )
                # Signs with the partners' secrets and the storefront's, and reads no other.
                functions.acknowledge_partner_secrets(function)
                function.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["secretsmanager:GetSecretValue"], resources=[functions.partner_secrets_arn]
                    )
                )
                # GetSecretValue only: CDK's grant_read adds DescribeSecret, which the code never calls.
                function.add_to_role_policy(
                    iam.PolicyStatement(
                        actions=["secretsmanager:GetSecretValue"], resources=[self.storefront_secret.secret_arn]
                    )
                )

    @staticmethod
    def _allow(function: lambda_.Function, queue: sqs.Queue, *actions: str) -> None:
        function.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[queue.queue_arn]))
