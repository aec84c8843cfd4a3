"""The operators' topic, the alarms that call for someone, and the dashboard: the order's business as it
happens (placed, backordered, cancelled, shipped, delivered, failed), partners' response times, executions,
function and API errors, the dead-letter queues and the alarms. Every alarm notifies the topic."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import Config, stable_id
from infra.constructs.functions import METRICS_NAMESPACE, SERVICE_NAME

PERIOD = Duration.minutes(5)
# Alarms on a metric the functions emit once per fact: one occurrence calls for someone.
ALARMS = {
    "OrdersFailed": "An order ended FAILED: Compensate released its reservations and backorders, cancelled its "
    "open shipments and told its customer. Every compensation ends so (nothing else marks an order FAILED). "
    "The execution's history says which step failed and why.",
    "EmailConfigurationFaults": "SES refuses every email (account suspended or paused, sender or MAIL FROM "
    "domain not verified, configuration set missing): orders fail until the configuration is fixed.",
    "PartnerDeadlinesMissed": "A partner neither accepted nor shipped a shipment within partner_accept_hours: the "
    "shipment shows an exception and its customer was told. Chase the partner.",
    "ShipmentsAfterCancellation": "A partner shipped a shipment OMS had cancelled (the customer's cancellation or "
    "a failed order): the parcel is on its way; recover it or tell the customer.",
}
# The business, as the dashboard shows it: the metric and its label.
BUSINESS = {
    "OrdersPlaced": "placed",
    "OrdersBackordered": "backordered",
    "OrdersCancelled": "cancelled",
    "ShipmentsShipped": "shipments shipped",
    "ShipmentsDelivered": "shipments delivered",
    "OrdersFailed": "failed",
}
PARTNER_RESPONSE_TIME = "PartnerResponseTime"
# An order's API answers within a second or two; three slow periods in a row are no blip.
API_LATENCY_P99 = Duration.seconds(3)
API_LATENCY_PERIODS = 3


def custom_metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    """A metric the functions emit through Powertools."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME},
        statistic=statistic,
        period=PERIOD,
    )


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: Config,
        state_machine: sfn.StateMachine,
        functions: dict[str, lambda_.Function],
        rest_api: apigateway.RestApi,
        dead_letter_alarms: tuple[cloudwatch.Alarm, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._topic(config)
        self.alarms: dict[str, cloudwatch.Alarm] = {
            name: self._metric_alarm(name, description) for name, description in ALARMS.items()
        }
        self.alarms["ExecutionsFailed"] = self._alarm(
            "ExecutionsFailed",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            "An order's execution failed (after Compensate, or in it): see the execution's history.",
        )
        self.alarms["ApiServerErrors"] = self._alarm(
            "ApiServerErrors",
            rest_api.metric_server_error(period=PERIOD, statistic="Sum"),
            "The API answered 5xx: a function failed, timed out or was throttled. Its logs say which.",
        )
        self.alarms["ApiLatency"] = self._alarm(
            "ApiLatency",
            rest_api.metric_latency(period=PERIOD, statistic="p99"),
            f"The API's p99 latency stayed at or above {API_LATENCY_P99.to_seconds()} s for "
            f"{API_LATENCY_PERIODS * PERIOD.to_minutes()} minutes.",
            threshold=API_LATENCY_P99.to_milliseconds(),
            evaluation_periods=API_LATENCY_PERIODS,
        )
        self.dead_letter_alarms = dead_letter_alarms
        for alarm in (*self.alarms.values(), *dead_letter_alarms):
            alarm.add_alarm_action(actions.SnsAction(self.topic))
        self._dashboard(state_machine, functions, rest_api)

    def _topic(self, config: Config) -> sns.Topic:
        # CloudWatch can't publish to a topic under the AWS-managed SNS key (its policy can't grant CloudWatch
        # the key), so the topic has its own key, rotated, which CloudWatch's alarms of this account may use.
        key = kms.Key(
            self,
            "OperatorsTopicKey",
            description="Encrypts the OMS operators' topic; CloudWatch alarms may use it to publish.",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        stable_id(key, "OperatorsTopicKey")
        stack = Stack.of(self)
        alarms_of_this_account = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {
                "aws:SourceArn": stack.format_arn(
                    service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
                )
            },
        }
        cloudwatch_alarms = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch_alarms],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=alarms_of_this_account,
            )
        )
        topic = sns.Topic(
            self, "OperatorsTopic", display_name="OMS operators", master_key=key, enforce_ssl=True
        )  # fmt: skip
        stable_id(topic, "OperatorsTopic")
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch_alarms],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=alarms_of_this_account,
            )
        )
        return topic

    def _metric_alarm(self, metric_name: str, description: str) -> cloudwatch.Alarm:
        return self._alarm(metric_name, custom_metric(metric_name), description)

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        threshold: float = 1,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self,
            f"{name}Alarm",
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No data is no failure: the metric is emitted only when one happens.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        stable_id(alarm, f"{name}Alarm")
        return alarm

    def _dashboard(
        self, state_machine: sfn.StateMachine, functions: dict[str, lambda_.Function], rest_api: apigateway.RestApi
    ) -> None:
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        stable_id(self.dashboard, "Dashboard")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Orders",
                left=[custom_metric(name).with_(label=label) for name, label in BUSINESS.items()],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Partners' response time (request to first answer, seconds)",
                left=[
                    custom_metric(PARTNER_RESPONSE_TIME, statistic).with_(label=statistic)
                    for statistic in ("p50", "p90", "Maximum")
                ],
                right=[custom_metric(name) for name in ("PartnerDeadlinesMissed", "PartnersSilent")],
                width=12,
            ),
        )
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
                title="Function errors and throttles",
                left=[function.metric_errors(period=PERIOD, label=folder) for folder, function in functions.items()],
                right=[
                    function.metric_throttles(period=PERIOD, label=folder) for folder, function in functions.items()
                ],
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
                title="Emails and cancelled shipments that shipped",
                left=[custom_metric(name) for name in ("EmailsUndeliverable", "ShipmentsAfterCancellation")],
                right=[custom_metric("EmailConfigurationFaults")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Webhooks",
                left=[custom_metric(name) for name in ("WebhooksDelivered", "WebhookAttemptsFailed")],
                right=[custom_metric("WebhooksDeadLettered")],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Dead-letter queues (messages waiting)",
                left=[alarm.metric for alarm in self.dead_letter_alarms],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(
                title="Alarms", alarms=[*self.alarms.values(), *self.dead_letter_alarms], width=24
            ),
        )
