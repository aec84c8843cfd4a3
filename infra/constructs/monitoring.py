"""The operators' dashboard: executions, function errors and API errors at a glance."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.config import stable_id

PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine: sfn.StateMachine,
        functions: dict[str, lambda_.Function],
        rest_api: apigateway.RestApi,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        stable_id(self.dashboard, "Dashboard")
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
