"""moto's EventBridge rules: Lambda, Step Functions and SQS targets delivered with the target's input."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.events.models import Rule
from moto.events.utils import EventTemplateParser
from moto.stepfunctions.parser.asl.utils import json_path

from local.aws import clients
from local.aws.template import REGION
from local.moto_fixes.patching import patch
from local.runtime import settle


def deliver_eventbridge_targets() -> None:
    """moto's rules deliver only to SQS, logs, archives, buses and API destinations and raise
    NotImplementedError for a Lambda or Step Functions target. EventBridge invokes those
    asynchronously: the Lambda target is invoked through moto's Lambda API (so in-process, by the
    runtime) and a Step Functions target starts an execution, each on a thread that settle counts.
    moto does deliver to an SQS target, but ignores its `Input` and `InputPath` and sends the event with
    its internal `ingestion-time`; the fix sends a queue the same input as the other targets (the
    event, or what `Input`, `InputPath` or `InputTransformer` make of it), with the target's
    `MessageGroupId` for a FIFO queue. moto also delivers through a rule whose State is DISABLED,
    which on AWS matches nothing: the fix delivers through enabled rules only. Remove when moto's
    `Rule.send_to_targets` delivers to Lambda and Step Functions targets, applies every input option to
    SQS targets and skips disabled rules.
    """
    original = Rule.__dict__["send_to_targets"]

    def send_to_targets(rule: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if rule.state != "ENABLED" or not rule.event_pattern.matches_event(original_event):  # type: ignore[arg-type]
            return
        ours = [target for target in rule.targets if _service(target["Arn"]) in ("lambda", "states", "sqs")]
        others = [target for target in rule.targets if target not in ours]
        for target in ours:
            event = _target_input(target, original_event) if transform_input else original_event
            settle.spawn(_deliver, target, event, name=f"oms-local-rule-{rule.name}")
        if others:
            rest = copy.copy(rule)
            rest.targets = others
            original(rest, original_event, transform_input)

    patch("deliver_eventbridge_targets", Rule, "send_to_targets", send_to_targets)


def _service(arn: str) -> str:
    return arn.split(":")[2] if arn.count(":") >= 5 else ""


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    delivered = {key: value for key, value in event.items() if key != "ingestion-time"}
    if isinstance(delivered.get("time"), int | float):
        delivered["time"] = datetime.fromtimestamp(delivered["time"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if "InputPath" in target:
        return json_path.extract_json(target["InputPath"], delivered)
    if "InputTransformer" in target:
        transformer = target["InputTransformer"]
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,  # type: ignore[arg-type]
        )
    return delivered


def _deliver(target: dict[str, Any], event: Any) -> None:
    arn = target["Arn"]
    region = arn.split(":")[3] or REGION
    if _service(arn) == "sqs":
        sqs = clients.client("sqs", region)
        request: dict[str, Any] = {
            "QueueUrl": sqs.get_queue_url(QueueName=arn.split(":")[-1])["QueueUrl"],
            "MessageBody": json.dumps(event),
        }
        group = target.get("SqsParameters", {}).get("MessageGroupId")
        if group:
            request["MessageGroupId"] = group
        sqs.send_message(**request)
    elif _service(arn) == "lambda":
        clients.client("lambda", region).invoke(FunctionName=arn, InvocationType="Event", Payload=json.dumps(event))
    else:
        clients.client("stepfunctions", region).start_execution(
            stateMachineArn=arn, name=str(uuid.uuid4()), input=json.dumps(event)
        )
