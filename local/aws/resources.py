"""What provisioning creates from a template, and the resource types it leaves out on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field

from local.aws.template import Template
from local.runtime.lambda_runtime import FunctionSpec

# Resources with no local behaviour: monitoring, permissions moto does not enforce, CDK plumbing.
SKIPPED_TYPES = frozenset(
    {
        "AWS::CDK::Metadata",
        "AWS::Logs::LogGroup",
        "AWS::Logs::MetricFilter",
        "AWS::Logs::SubscriptionFilter",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::CompositeAlarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::Lambda::Permission",
        "AWS::Lambda::Version",
        "AWS::Lambda::Alias",
        "AWS::Lambda::LayerVersion",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SNS::Subscription",
        "AWS::Events::Archive",
        "AWS::Events::EventBusPolicy",
        "AWS::SecretsManager::RotationSchedule",
        "AWS::SES::ConfigurationSetEventDestination",
        "AWS::CloudFormation::CustomResource",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "AWS::XRay::Group",
        "AWS::XRay::SamplingRule",
    }
)


@dataclass
class Resources:
    """What provisioning created: logical id -> physical name or ARN, by kind."""

    names: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    state_machines: dict[str, str] = field(default_factory=dict)
    event_buses: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    schedule_groups: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    email_identities: dict[str, str] = field(default_factory=dict)
    configuration_sets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    event_source_mappings: dict[str, str] = field(default_factory=dict)
    event_invoke_configs: dict[str, str] = field(default_factory=dict)  # logical id -> function name
    topics: dict[str, str] = field(default_factory=dict)
    api: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def state_machine_arn(self) -> str:
        """The one state machine's ARN (OMS has one: the order's life)."""
        if len(self.state_machines) != 1:
            raise LookupError(f"expected one state machine, found {sorted(self.state_machines)}")
        return next(iter(self.state_machines.values()))

    def _record(self, template: Template, logical_id: str, kind: dict[str, str], value: str) -> None:
        kind[logical_id] = value
        self.names[logical_id] = template.physical_name(logical_id)
        self.arns[logical_id] = template.arn(logical_id)
