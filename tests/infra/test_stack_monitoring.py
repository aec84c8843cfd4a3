"""Failures call for someone: an alarm on the metric each emits, named as the functions emit it."""

import re

import pytest

from infra.packaging import FUNCTIONS_DIR

ALARMED = ["OrdersFailed", "EmailConfigurationFaults"]


def _emitted_metrics() -> set[str]:
    pattern = re.compile(r"""add_metric\(name="(\w+)\"""")
    return {name for path in FUNCTIONS_DIR.rglob("*.py") for name in pattern.findall(path.read_text())}


@pytest.mark.parametrize("metric", ALARMED)
def test_a_failure_that_needs_an_operator_raises_an_alarm(resources, metric):
    alarm = resources("AWS::CloudWatch::Alarm")[f"{metric}Alarm"]["Properties"]
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


def test_the_alarmed_metrics_are_ones_the_functions_emit():
    assert set(ALARMED) | {"EmailsUndeliverable"} <= _emitted_metrics()


def test_the_dashboard_shows_the_alarms_and_the_undeliverable_emails(resources, as_text):
    body = as_text(resources("AWS::CloudWatch::Dashboard")["Dashboard"]["Properties"]["DashboardBody"])

    assert "EmailsUndeliverable" in body
    for metric in ALARMED:
        assert f"${{{metric}Alarm.Arn}}" in body
