"""Create in moto, through the AWS APIs, every resource of a template that matters locally."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Mapping
from typing import Any

from local.aws import clients
from local.aws.resources import SKIPPED_TYPES, Resources
from local.aws.template import Template
from local.runtime.lambda_runtime import FunctionSpec
from oms.settings import ENABLED_BY, variable

__all__ = ["Resources", "provision"]

log = logging.getLogger("local.aws.provision")

# Read from the template by the API emulator itself.
API_TYPE_PREFIX = "AWS::ApiGateway::"
_DUMMY_ZIP = io.BytesIO()
with zipfile.ZipFile(_DUMMY_ZIP, "w") as archive:
    archive.writestr("index.py", "def handler(event, context):\n    raise RuntimeError('runs in-process')\n")


def provision(template: Template, settings: Mapping[str, str] | None = None) -> Resources:
    """Create the template's resources in the active moto mock; return what was created.

    `settings` are the seed's settings as the functions' `OMS_*` variables: they replace the ones the template
    was synthesized with in the functions' environment (the runtime), and decide here whether a resource the
    template says is enabled by a setting (`ENABLED_BY` metadata) is, as a deploy with them would."""
    creator = _Creator(template, settings)
    return creator.run()


class _Creator:
    def __init__(self, template: Template, settings: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.settings = settings
        self.client = clients.client
        self.resources = Resources()

    def run(self) -> Resources:
        steps: list[tuple[tuple[str, ...], Any]] = [
            (("AWS::IAM::Role",), self.role),
            (("AWS::SecretsManager::Secret",), self.secret),
            (("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"), self.table),
            (("AWS::SQS::Queue",), self.queue),
            (("AWS::SNS::Topic",), self.topic),
            (("AWS::Events::EventBus",), self.event_bus),
            (("AWS::Scheduler::ScheduleGroup",), self.schedule_group),
            (("AWS::SES::EmailIdentity",), self.email_identity),
            (("AWS::SES::ConfigurationSet",), self.configuration_set),
            (("AWS::Lambda::Function",), self.function),
            (("AWS::Lambda::EventSourceMapping",), self.event_source_mapping),
            (("AWS::Lambda::EventInvokeConfig",), self.event_invoke_config),
            (("AWS::StepFunctions::StateMachine",), self.state_machine),
            (("AWS::Events::Rule",), self.rule),
            (("AWS::Scheduler::Schedule",), self.schedule),
        ]
        handled = {resource_type for types, _ in steps for resource_type in types}
        for types, create in steps:
            for logical_id in _dead_letter_queues_first(self.template, list(self.template.of_type(*types))):
                create(logical_id, self.template.properties(logical_id))
        for logical_id, resource in self.template.resources.items():
            resource_type = resource.get("Type", "")
            if resource_type in handled:
                continue
            if resource_type.startswith(API_TYPE_PREFIX):
                self.resources.api[logical_id] = resource_type
            elif resource_type in SKIPPED_TYPES or resource_type.startswith("Custom::"):
                self.resources.skipped[logical_id] = resource_type
            else:
                log.warning("%s (%s) has no local equivalent and is left out", logical_id, resource_type)
                self.resources.skipped[logical_id] = resource_type
        return self.resources

    def name(self, logical_id: str) -> str:
        return self.template.physical_name(logical_id)

    def role(self, logical_id: str, props: dict[str, Any]) -> None:
        self.client("iam").create_role(
            RoleName=self.name(logical_id),
            Path=props.get("Path", "/"),
            AssumeRolePolicyDocument=json.dumps(props.get("AssumeRolePolicyDocument", {})),
        )
        self.resources.names[logical_id] = self.name(logical_id)
        self.resources.arns[logical_id] = self.template.arn(logical_id)

    def secret(self, logical_id: str, props: dict[str, Any]) -> None:
        client = self.client("secretsmanager")
        value = props.get("SecretString")
        if value is None:
            value = _generated_secret(client, props.get("GenerateSecretString", {}))
        arn = client.create_secret(Name=self.name(logical_id), SecretString=value)["ARN"]
        self.template.bind(logical_id, ref=arn, Arn=arn)
        self.resources._record(self.template, logical_id, self.resources.secrets, arn)

    def table(self, logical_id: str, props: dict[str, Any]) -> None:
        client = self.client("dynamodb")
        name = self.name(logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(index_kind):
                request[index_kind] = [
                    {key: index[key] for key in ("IndexName", "KeySchema", "Projection")} for index in props[index_kind]
                ]
        stream = props.get("StreamSpecification", {}).get("StreamViewType")
        if stream:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        client.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled", True) and ttl.get("AttributeName"):
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
            )
        self.resources._record(self.template, logical_id, self.resources.tables, name)

    def queue(self, logical_id: str, props: dict[str, Any]) -> None:
        attributes = {name: _attribute(props[name]) for name in QUEUE_ATTRIBUTES if name in props}
        url = self.client("sqs").create_queue(QueueName=self.name(logical_id), Attributes=attributes)["QueueUrl"]
        self.template.bind(logical_id, ref=url)
        self.resources._record(self.template, logical_id, self.resources.queues, url)

    def topic(self, logical_id: str, props: dict[str, Any]) -> None:
        arn = self.client("sns").create_topic(Name=self.name(logical_id))["TopicArn"]
        self.resources._record(self.template, logical_id, self.resources.topics, arn)

    def event_bus(self, logical_id: str, props: dict[str, Any]) -> None:
        self.client("events").create_event_bus(Name=self.name(logical_id))
        self.resources._record(self.template, logical_id, self.resources.event_buses, self.name(logical_id))

    def schedule_group(self, logical_id: str, props: dict[str, Any]) -> None:
        self.client("scheduler").create_schedule_group(Name=self.name(logical_id))
        self.resources._record(self.template, logical_id, self.resources.schedule_groups, self.name(logical_id))

    def email_identity(self, logical_id: str, props: dict[str, Any]) -> None:
        identity = props["EmailIdentity"]
        ses = self.client("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        self.resources._record(self.template, logical_id, self.resources.email_identities, identity)

    def configuration_set(self, logical_id: str, props: dict[str, Any]) -> None:
        self.client("sesv2").create_configuration_set(ConfigurationSetName=self.name(logical_id))
        self.resources._record(self.template, logical_id, self.resources.configuration_sets, self.name(logical_id))

    def function(self, logical_id: str, props: dict[str, Any]) -> None:
        runtime = str(props.get("Runtime", ""))
        if not runtime.startswith("python"):
            self.resources.skipped[logical_id] = f"AWS::Lambda::Function ({runtime or 'no runtime'})"
            return
        name = self.name(logical_id)
        environment = {key: str(value) for key, value in props.get("Environment", {}).get("Variables", {}).items()}
        self.client("lambda").create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=props["Role"],
            Handler=props["Handler"],
            Code={"ZipFile": _DUMMY_ZIP.getvalue()},
            Environment={"Variables": environment},
            Timeout=int(props.get("Timeout", 3)),
            MemorySize=int(props.get("MemorySize", 128)),
        )
        spec = FunctionSpec(
            logical_id=logical_id,
            name=name,
            handler=props["Handler"],
            environment=environment,
            timeout=int(props.get("Timeout", 3)),
            memory_size=int(props.get("MemorySize", 128)),
        )
        self.resources.functions[logical_id] = spec
        self.resources.names[logical_id] = name
        self.resources.arns[logical_id] = spec.arn

    def event_source_mapping(self, logical_id: str, props: dict[str, Any]) -> None:
        """A queue mapped to a function; the local stack's poller delivers it (`runtime/queue_poller.py`)."""
        source = str(props.get("EventSourceArn", ""))
        if ":sqs:" not in source:
            log.warning("%s maps %s, which the local stack cannot poll; left out", logical_id, source)
            self.resources.skipped[logical_id] = "AWS::Lambda::EventSourceMapping"
            return
        request = {key: props[key] for key in MAPPING_PROPERTIES if key in props}
        mapping = self.client("lambda").create_event_source_mapping(**request)
        self.template.bind(logical_id, ref=mapping["UUID"])
        self.resources.event_source_mappings[logical_id] = mapping["UUID"]
        self.resources.names[logical_id] = mapping["UUID"]

    def event_invoke_config(self, logical_id: str, props: dict[str, Any]) -> None:
        """What Lambda does with a failed asynchronous invocation: its retries and on-failure destination
        (`moto_fixes/awslambda.py` honours both)."""
        request = {key: props[key] for key in INVOKE_CONFIG_PROPERTIES if key in props}
        self.client("lambda").put_function_event_invoke_config(FunctionName=props["FunctionName"], **request)
        self.resources.event_invoke_configs[logical_id] = str(props["FunctionName"])

    def state_machine(self, logical_id: str, props: dict[str, Any]) -> None:
        definition = props.get("DefinitionString") or json.dumps(props.get("Definition", {}))
        for key, value in (props.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        json.loads(definition)
        arn = self.client("stepfunctions").create_state_machine(
            name=self.name(logical_id),
            definition=definition,
            roleArn=props["RoleArn"],
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        self.template.bind(logical_id, ref=arn, Arn=arn)
        self.resources._record(self.template, logical_id, self.resources.state_machines, arn)

    def rule(self, logical_id: str, props: dict[str, Any]) -> None:
        client = self.client("events")
        name = self.name(logical_id)
        bus = str(props.get("EventBusName", "default")).split("/")[-1]
        request: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": self.state(logical_id, props)}
        if "EventPattern" in props:
            pattern = props["EventPattern"]
            request["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if "ScheduleExpression" in props:
            request["ScheduleExpression"] = props["ScheduleExpression"]
        client.put_rule(**request)
        targets = [_rule_target(target) for target in props.get("Targets", [])]
        if targets:
            client.put_targets(Rule=name, EventBusName=bus, Targets=targets)  # type: ignore[arg-type]
        self.resources._record(self.template, logical_id, self.resources.rules, name)

    def state(self, logical_id: str, props: dict[str, Any]) -> str:
        """A rule's State: the template's, or, for a rule enabled by a setting, whether the settings set it."""
        enabled_by = self.template.resources[logical_id].get("Metadata", {}).get(ENABLED_BY)
        if enabled_by is None or self.settings is None or variable(enabled_by) not in self.settings:
            return str(props.get("State", "ENABLED"))
        return "ENABLED" if self.settings[variable(enabled_by)] else "DISABLED"

    def schedule(self, logical_id: str, props: dict[str, Any]) -> None:
        request = {
            key: value
            for key, value in props.items()
            if key
            in (
                "GroupName",
                "ScheduleExpression",
                "ScheduleExpressionTimezone",
                "FlexibleTimeWindow",
                "Target",
                "State",
                "ActionAfterCompletion",
                "Description",
            )
        }
        self.client("scheduler").create_schedule(Name=self.name(logical_id), **request)
        self.resources.names[logical_id] = self.name(logical_id)


QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DelaySeconds",
    "FifoQueue",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "VisibilityTimeout",
)
MAPPING_PROPERTIES = (
    "EventSourceArn",
    "FunctionName",
    "BatchSize",
    "Enabled",
    "FunctionResponseTypes",
    "MaximumBatchingWindowInSeconds",
)


INVOKE_CONFIG_PROPERTIES = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict) else str(value)


def _dead_letter_queues_first(template: Template, logical_ids: list[str]) -> list[str]:
    """A queue's dead-letter queue must exist before the queue's RedrivePolicy can name it."""
    return sorted(
        logical_ids, key=lambda logical_id: "RedrivePolicy" in template.resources[logical_id].get("Properties", {})
    )


def _rule_target(target: dict[str, Any]) -> dict[str, Any]:
    allowed = (
        "Id",
        "Arn",
        "RoleArn",
        "Input",
        "InputPath",
        "InputTransformer",
        "RetryPolicy",
        "DeadLetterConfig",
        "SqsParameters",
        "HttpParameters",
    )
    return {key: value for key, value in target.items() if key in allowed}


def _generated_secret(client: Any, spec: dict[str, Any]) -> str:
    options = {
        key: spec[key]
        for key in (
            "PasswordLength",
            "ExcludeCharacters",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "ExcludeLowercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        )
        if key in spec
    }
    password = client.get_random_password(**options)["RandomPassword"]
    if "SecretStringTemplate" in spec and "GenerateStringKey" in spec:
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)
    return str(password)
