"""The operators' dashboard (executions, failures, function errors, API errors) and the alarms that call
for someone: an order that failed, and SES refusing every email."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import stable_id
from infra.constructs.functions import METRICS_NAMESPACE, SERVICE_NAME

PERIOD = Duration.minutes(5)
# Alarms: the metric the functions emit, and what it means that it rose.
ALARMS = {
    "OrdersFailed": "An order ended FAILED: its reservations were released and its customer told. "
    "The execution's history says which step failed and why.",
    "EmailConfigurationFaults": "SES refuses every email (account suspended or paused, sender or MAIL FROM "
    "domain not verified, configuration set missing): orders fail until the configuration is fixed.",
}


def custom_metric(name: str) -> cloudwatch.Metric:
    """A metric the functions emit through Powertools."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME},
        statistic="Sum",
        period=PERIOD,
    )


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine: sfn.StateMachine,
        functions: dict[str, lambda_.Function],
        rest_api: apigateway.RestApi,
        other_alarms: tuple[cloudwatch.IAlarm, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        stable_id(self.dashboard, "Dashboard")
        self.alarms = {name: self._alarm(name, description) for name, description in ALARMS.items()}
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Order executions",
                left=[
                    state_machine.metric_started(period=PERIOD),
                    state_machine.metric_succeeded(period=PERIOD),
                    state_machine.metric_failed(period=PERIOD),
                    state_machine.metric_timed_out(period=PERIOD),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[function.metric_errors(period=PERIOD, label=folder) for folder, function in functions.items()],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="API errors",
                left=[rest_api.metric_client_error(period=PERIOD), rest_api.metric_server_error(period=PERIOD)],
                right=[rest_api.metric_latency(period=PERIOD, statistic="p99")],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Failures and undeliverable emails",
                left=[custom_metric(name) for name in ("OrdersFailed", "EmailsUndeliverable")],
                right=[custom_metric("EmailConfigurationFaults")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Webhooks",
                left=[custom_metric(name) for name in ("WebhooksDelivered", "WebhookAttemptsFailed")],
                right=[custom_metric("WebhooksDeadLettered")],
                width=8,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=[*self.alarms.values(), *other_alarms], width=8),
        )

    def _alarm(self, metric_name: str, description: str) -> cloudwatch.Alarm:
        alarm = custom_metric(metric_name).create_alarm(
            self,
            f"{metric_name}Alarm",
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No data is no failure: the metric is emitted only when one happens.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        stable_id(alarm, f"{metric_name}Alarm")
        return alarm
