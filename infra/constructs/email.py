"""SES: the sender identity from the settings and the configuration set every email uses."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.config import Config, stable_id


class Email(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        self.sender: str = config.settings["sender"]
        self.configuration_set = ses.ConfigurationSet(
            self, "ConfigurationSet", reputation_metrics=True, sending_enabled=True
        )
        stable_id(self.configuration_set, "ConfigurationSet")
        self.identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.email(self.sender),
            configuration_set=self.configuration_set,
        )
        stable_id(self.identity, "SenderIdentity")

    @property
    def configuration_set_name(self) -> str:
        return self.configuration_set.configuration_set_name

    def sending_resources(self) -> list[str]:
        """What ses:SendEmail is checked against: the sender (or its domain, should the
        merchant verify the domain instead) and the configuration set."""
        stack = Stack.of(self)
        domain = self.sender.rsplit("@", 1)[-1]
        return [
            stack.format_arn(service="ses", resource="identity", resource_name=self.sender),
            stack.format_arn(service="ses", resource="identity", resource_name=domain),
            stack.format_arn(service="ses", resource="configuration-set", resource_name=self.configuration_set_name),
        ]
