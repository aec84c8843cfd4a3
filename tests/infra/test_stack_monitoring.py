"""Failures call for someone: each alarm exists, watches the metric it names, and notifies the operators'
topic; the dashboard shows the business as the functions count it."""

import re

import pytest

from infra.packaging import FUNCTIONS_DIR

OPERATORS = {"Ref": "OperatorsTopic"}
# Alarms on a metric the functions emit once per fact.
ALARMED = ["OrdersFailed", "EmailConfigurationFaults", "PartnerDeadlinesMissed", "ShipmentsAfterCancellation"]
BUSINESS = ["OrdersPlaced", "OrdersBackordered", "OrdersCancelled", "ShipmentsShipped", "ShipmentsDelivered",
            "OrdersFailed"]  # fmt: skip


def _emitted_metrics() -> set[str]:
    pattern = re.compile(r"""add_metric\(\s*name="(\w+)\"""")
    return {name for path in FUNCTIONS_DIR.rglob("*.py") for name in pattern.findall(path.read_text())}


@pytest.fixture(scope="module")
def alarms(resources):
    return {logical_id: alarm["Properties"] for logical_id, alarm in resources("AWS::CloudWatch::Alarm").items()}


@pytest.mark.parametrize("metric", ALARMED)
def test_a_failure_that_needs_an_operator_raises_an_alarm(resources, alarms, metric):
    alarm = alarms[f"{metric}Alarm"]
    environment = resources("AWS::Lambda::Function")["CompensateFunction"]["Properties"]["Environment"]["Variables"]

    assert (alarm["MetricName"], alarm["Namespace"]) == (metric, environment["POWERTOOLS_METRICS_NAMESPACE"])
    assert alarm["Dimensions"] == [{"Name": "service", "Value": environment["POWERTOOLS_SERVICE_NAME"]}]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum",
        1,
        "GreaterThanOrEqualToThreshold",
    )
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmDescription"]


def test_a_failed_execution_raises_an_alarm(alarms):
    alarm = alarms["ExecutionsFailedAlarm"]

    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/States", "ExecutionsFailed", "Sum")
    assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": "OrderStateMachine"}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_the_apis_server_errors_and_slow_p99_raise_alarms(alarms):
    errors, latency = alarms["ApiServerErrorsAlarm"], alarms["ApiLatencyAlarm"]

    assert (errors["Namespace"], errors["MetricName"], errors["Statistic"]) == ("AWS/ApiGateway", "5XXError", "Sum")
    assert (latency["Namespace"], latency["MetricName"], latency["ExtendedStatistic"]) == (
        "AWS/ApiGateway",
        "Latency",
        "p99",
    )
    assert (latency["Threshold"], latency["EvaluationPeriods"]) == (3000, 3)


def test_every_alarm_notifies_the_operators_topic(alarms):
    expected = {f"{name}Alarm" for name in (*ALARMED, "ExecutionsFailed", "ApiServerErrors", "ApiLatency")}

    assert expected <= set(alarms)
    assert {logical_id: alarm.get("AlarmActions") for logical_id, alarm in alarms.items()} == {
        logical_id: [OPERATORS] for logical_id in alarms
    }


def test_the_operators_topic_is_encrypted_with_a_key_cloudwatch_may_use_and_refuses_plain_http(resources, template):
    topic = resources("AWS::SNS::Topic")["OperatorsTopic"]["Properties"]
    key = resources("AWS::KMS::Key")["OperatorsTopicKey"]["Properties"]
    topic_policy = next(iter(resources("AWS::SNS::TopicPolicy").values()))["Properties"]

    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["OperatorsTopicKey", "Arn"]}
    assert key["EnableKeyRotation"] is True
    assert any(
        statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        for statement in key["KeyPolicy"]["Statement"]
    )
    statements = topic_policy["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    assert any(
        s["Effect"] == "Allow"
        and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        and s["Action"] == "sns:Publish"
        for s in statements
    )
    assert template["Outputs"]["OperatorsTopicArn"]["Value"] == OPERATORS


def test_the_alarmed_and_charted_metrics_are_ones_the_functions_emit():
    assert {*ALARMED, *BUSINESS, "EmailsUndeliverable", "WebhooksDeadLettered", "PartnerResponseTime"} <= (
        _emitted_metrics()
    )


def test_the_dashboard_shows_the_business_partners_dead_letters_and_alarms(resources, alarms, as_text):
    body = as_text(resources("AWS::CloudWatch::Dashboard")["Dashboard"]["Properties"]["DashboardBody"])

    for metric in (*BUSINESS, "PartnerResponseTime", "EmailsUndeliverable"):
        assert f'"{metric}"' in body
    for queue in (
        "WebhookDeadLetterQueue",
        "WebhookRuleDeadLetterQueue",
        "ScheduleDeadLetterQueue",
        "TimerFailureQueue",
    ):
        assert f"${{{queue}.QueueName}}" in body
    for logical_id in alarms:
        assert f"${{{logical_id}.Arn}}" in body
