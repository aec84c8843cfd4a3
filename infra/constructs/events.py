"""The domain event bus, the feedback schedules' group and role, and the feedback token key."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import Config, stable_id


class Events(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "OmsBus")
        stable_id(self.bus, "OmsBus")

        self.schedule_group = scheduler.CfnScheduleGroup(self, "FeedbackSchedules")
        self.schedule_group.override_logical_id("FeedbackSchedules")

        # What the feedback schedules run as; it may only invoke the followup function,
        # granted in allow_followup once that function exists.
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="Runs the feedback schedules: invokes the followup function.",
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

    @property
    def schedule_group_name(self) -> str:
        return self.schedule_group.ref

    def allow_followup(self, followup: lambda_.IFunction) -> None:
        followup.grant_invoke(self.scheduler_role)
