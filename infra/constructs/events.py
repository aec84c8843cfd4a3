"""The domain event bus, the feedback schedules' group and role, and the feedback token key."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import Config, acknowledge, stable_id


class Events(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "OmsBus")
        stable_id(self.bus, "OmsBus")

        self.schedule_group = scheduler.CfnScheduleGroup(self, "FeedbackSchedules")
        self.schedule_group.override_logical_id("FeedbackSchedules")

        # What the order's schedules run as; it may only invoke their targets (followup, partner_deadline),
        # granted in allow_target once those functions exist.
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="Runs the order schedules: invokes the followup and partner_deadline functions.",
        )
        stable_id(self.scheduler_role, "SchedulerRole")

        # Signs feedback tokens; only followup (issues) and feedback (verifies) may read it.
        self.feedback_key = secretsmanager.Secret(
            self,
            "FeedbackKeySecret",
            description="HMAC key of the feedback links' tokens.",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=config.removal_policy,
        )
        stable_id(self.feedback_key, "FeedbackKeySecret")
        acknowledge(
            self.feedback_key,
            "SMG4",
            "Verifies the tokens of feedback links already emailed to "
            "customers: a rotation would void every link sent before it, and the functions read only "
            "the current value.",
        )

    @property
    def schedule_group_name(self) -> str:
        return self.schedule_group.ref

    def allow_target(self, function: lambda_.IFunction) -> None:
        """Let the schedules invoke `function` (followup, partner_deadline), and nothing else."""
        function.grant_invoke(self.scheduler_role)
        acknowledge(
            self.scheduler_role,
            f"IAM5[Resource::<{function.node.id}.Arn>:*]",
            "CDK's invoke grant "
            "names the function and its versions (<ARN>:*); the schedules invoke this function only.",
        )
