"""Nothing asynchronous fails out of sight: every EventBridge target and every function invoked
asynchronously has a dead-letter queue or an on-failure destination, and every dead-letter queue an alarm
that notifies the operators' topic."""

import re
from typing import Any

import pytest

from infra.packaging import FUNCTIONS_DIR

OPERATORS = {"Ref": "OperatorsTopic"}


def _queue_id(reference: Any) -> str:
    """The logical id of the queue an `Fn::GetAtt [<queue>, Arn]` names."""
    assert isinstance(reference, dict) and "Fn::GetAtt" in reference, reference
    logical_id, attribute = reference["Fn::GetAtt"]
    assert attribute == "Arn"
    return str(logical_id)


@pytest.fixture(scope="module")
def rule_targets(resources) -> list[dict[str, Any]]:
    return [target for rule in resources("AWS::Events::Rule").values() for target in rule["Properties"]["Targets"]]


@pytest.fixture(scope="module")
def invoke_configs(resources) -> dict[str, dict[str, Any]]:
    """Each function's EventInvokeConfig, by the function's logical id."""
    return {
        config["Properties"]["FunctionName"]["Ref"]: config["Properties"]
        for config in resources("AWS::Lambda::EventInvokeConfig").values()
    }


@pytest.fixture(scope="module")
def async_invoked(resources, rule_targets, policy_statements) -> set[str]:
    """The functions something invokes asynchronously: the schedules' targets, EventBridge's Lambda targets."""
    functions = set(resources("AWS::Lambda::Function"))
    by_scheduler = {
        name
        for statement in policy_statements("SchedulerRole")
        if statement["Action"] == "lambda:InvokeFunction"
        for resource in statement["Resource"]
        for name in functions
        if name in str(resource)
    }
    by_rules = {name for target in rule_targets for name in functions if name in str(target["Arn"])}
    return by_scheduler | by_rules


@pytest.fixture(scope="module")
def dead_letter_queues(resources, rule_targets, invoke_configs) -> set[str]:
    """Every queue that holds what could not be done: named by a RedrivePolicy, a rule target, an
    on-failure destination, or the schedules' targets (set at run time from the functions' environment)."""
    queues = resources("AWS::SQS::Queue")
    redrive = {_queue_id(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]) for q in queues.values()
               if "RedrivePolicy" in q["Properties"]}  # fmt: skip
    rules = {_queue_id(target["DeadLetterConfig"]["Arn"]) for target in rule_targets}
    destinations = {_queue_id(c["DestinationConfig"]["OnFailure"]["Destination"]) for c in invoke_configs.values()}
    schedules = {
        _queue_id(function["Properties"]["Environment"]["Variables"]["SCHEDULE_DEAD_LETTER_QUEUE_ARN"])
        for function in resources("AWS::Lambda::Function").values()
        if "SCHEDULE_DEAD_LETTER_QUEUE_ARN" in function["Properties"]["Environment"]["Variables"]
    }
    return redrive | rules | destinations | schedules


def test_every_eventbridge_target_has_a_dead_letter_queue_and_a_retry_policy(rule_targets, resources) -> None:
    assert rule_targets
    for target in rule_targets:
        assert _queue_id(target["DeadLetterConfig"]["Arn"]) in resources("AWS::SQS::Queue")
        assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
        assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] > 0


def test_the_timers_are_the_functions_invoked_asynchronously(async_invoked) -> None:
    assert async_invoked == {"FollowupFunction", "PartnerDeadlineFunction"}


def test_no_function_invokes_another_asynchronously() -> None:
    # Were one to, its target would be asynchronously invoked too and need an on-failure destination.
    found = [
        path.relative_to(FUNCTIONS_DIR).as_posix()
        for path in FUNCTIONS_DIR.rglob("*.py")
        if re.search(r"InvocationType|invoke_async|\.invoke\(", path.read_text())
    ]
    assert found == []


def test_every_function_invoked_asynchronously_has_an_on_failure_destination(async_invoked, invoke_configs, resources):
    for function in async_invoked:
        config = invoke_configs[function]
        destination = _queue_id(config["DestinationConfig"]["OnFailure"]["Destination"])
        assert destination in resources("AWS::SQS::Queue")
        assert config["MaximumRetryAttempts"] == 2
        assert config["Qualifier"] == "$LATEST"


def test_the_functions_may_send_to_their_on_failure_destination(invoke_configs, resources, policy_statements) -> None:
    for function, config in invoke_configs.items():
        role = resources("AWS::Lambda::Function")[function]["Properties"]["Role"]["Fn::GetAtt"][0]
        destination = config["DestinationConfig"]["OnFailure"]["Destination"]
        assert any(
            "sqs:SendMessage" in statement["Action"] and statement["Resource"] == destination
            for statement in policy_statements(role)
        ), function


def test_every_queue_but_the_webhook_queue_is_a_dead_letter_queue(dead_letter_queues, resources) -> None:
    consumed = {
        _queue_id(m["Properties"]["EventSourceArn"]) for m in resources("AWS::Lambda::EventSourceMapping").values()
    }

    assert consumed == {"WebhookQueue"}
    assert dead_letter_queues == set(resources("AWS::SQS::Queue")) - consumed
    assert dead_letter_queues == {
        "WebhookDeadLetterQueue",
        "WebhookRuleDeadLetterQueue",
        "ScheduleDeadLetterQueue",
        "TimerFailureQueue",
    }


def test_every_dead_letter_queue_has_an_alarm_that_notifies_the_operators(dead_letter_queues, resources) -> None:
    alarmed = {}
    for alarm in resources("AWS::CloudWatch::Alarm").values():
        properties = alarm["Properties"]
        if properties.get("MetricName") != "ApproximateNumberOfMessagesVisible":
            continue
        queue = properties["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        alarmed[queue] = properties

    assert set(alarmed) == dead_letter_queues
    for properties in alarmed.values():
        assert (properties["Namespace"], properties["Statistic"]) == ("AWS/SQS", "Maximum")
        assert (properties["ComparisonOperator"], properties["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
        assert properties["AlarmActions"] == [OPERATORS]
        assert properties["AlarmDescription"]


def test_the_schedules_dead_letters_go_where_the_scheduler_may_send(resources, policy_statements) -> None:
    variables = resources("AWS::Lambda::Function")["DispatchFunction"]["Properties"]["Environment"]["Variables"]
    queue = variables["SCHEDULE_DEAD_LETTER_QUEUE_ARN"]

    assert queue == {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    assert any(
        "sqs:SendMessage" in statement["Action"] and statement["Resource"] == queue
        for statement in policy_statements("SchedulerRole")
    )
