"""SES: the sender identity, a deploy-time parameter, and the configuration set every email uses."""

from __future__ import annotations

from aws_cdk import CfnParameter, Fn, Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.config import Config, stable_id
from oms.settings import variable

SENDER_PARAMETER = "SenderAddress"


class Email(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        # The merchant's from-address is chosen at deploy time (`cdk deploy --parameters
        # SenderAddress=...`); its default is the settings model's, or the `oms:settings` context's.
        self.sender_parameter = CfnParameter(
            self,
            SENDER_PARAMETER,
            type="String",
            default=config.settings["sender"],
            description="The address every OMS email is sent from; SES must verify it (docs/operations.md).",
            allowed_pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
            constraint_description="an email address, such as orders@shop.example",
        )
        self.sender_parameter.override_logical_id(SENDER_PARAMETER)
        self.sender: str = self.sender_parameter.value_as_string
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

    def environment(self) -> dict[str, str]:
        """The functions' sender variable, read from the parameter instead of the synthesized settings."""
        return {variable("sender"): self.sender}

    def sending_resources(self) -> list[str]:
        """What ses:SendEmail is checked against: the sender (or its domain, should the
        merchant verify the domain instead) and the configuration set."""
        stack = Stack.of(self)
        domain = Fn.select(1, Fn.split("@", self.sender))
        return [
            stack.format_arn(service="ses", resource="identity", resource_name=self.sender),
            stack.format_arn(service="ses", resource="identity", resource_name=domain),
            stack.format_arn(service="ses", resource="configuration-set", resource_name=self.configuration_set_name),
        ]
