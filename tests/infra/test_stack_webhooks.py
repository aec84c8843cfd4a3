"""Outgoing webhooks: the queue and its dead-letter queue, the consumer's mapping, the storefront's rule,
the alarm, and the deliverer's rights."""

import json

import pytest

from oms.settings import ENABLED_BY
from oms.webhooks import MAX_ATTEMPTS


@pytest.fixture(scope="module")
def queues(resources):
    return resources("AWS::SQS::Queue")


def test_the_webhook_queue_dead_letters_after_its_last_attempt(queues) -> None:
    queue = queues["WebhookQueue"]["Properties"]

    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]},
        "maxReceiveCount": MAX_ATTEMPTS,
    }
    assert queue["VisibilityTimeout"] == 360  # six times the deliverer's 60 s timeout
    assert queue["MessageRetentionPeriod"] > 5 * 3600
    assert queues["WebhookDeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_every_queue_is_encrypted_and_refuses_plain_http(queues, resources) -> None:
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    refusing = {
        queue["Ref"]
        for policy in resources("AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for queue in policy["Properties"]["Queues"]
    }
    assert refusing == set(queues)
    assert len(queues) >= 5


def test_the_deliverer_consumes_the_queue_in_small_batches_reporting_each_failure(resources) -> None:
    (mapping,) = resources("AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]

    assert properties["EventSourceArn"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    assert properties["FunctionName"] == {"Ref": "DeliverWebhooksFunction"}
    assert properties["BatchSize"] == 5
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_storefronts_events_go_from_the_bus_to_the_queue_marked_for_the_storefront(resources) -> None:
    rule = resources("AWS::Events::Rule")["StorefrontWebhookRule"]["Properties"]

    assert rule["EventBusName"] == {"Ref": "OmsBus"}
    assert rule["EventPattern"]["source"] == ["oms"]
    assert {"OrderAllocated", "ShipmentShipped", "ShipmentDelivered", "OrderCancelled", "OrderFailed"} <= set(
        rule["EventPattern"]["detail-type"]
    )
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"] == {"detail": "$.detail"}
    assert json.loads(transformer["InputTemplate"].replace("<detail>", "{}")) == {"target": "storefront", "event": {}}


def test_the_storefronts_rule_is_enabled_only_by_a_storefront_webhook_url(template, prod_template) -> None:
    # The default settings give no URL: every event the rule put on the queue would be a delivery run that
    # drops it. The production context gives one (conftest.py).
    default = template["Resources"]["StorefrontWebhookRule"]
    production = prod_template["Resources"]["StorefrontWebhookRule"]

    assert (default["Properties"]["State"], production["Properties"]["State"]) == ("DISABLED", "ENABLED")
    for rule in (default, production):
        assert rule["Metadata"][ENABLED_BY] == "storefront_webhook_url"
        assert "Condition" not in rule  # the queue's and dead-letter queue's policies name it either way


def test_a_dead_lettered_delivery_raises_the_alarm(resources) -> None:
    alarm = resources("AWS::CloudWatch::Alarm")["WebhookDeadLettersAlarm"]["Properties"]

    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["WebhookDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)


def test_the_deliverer_may_read_only_the_secrets_it_signs_with(policy_statements, as_text) -> None:
    readable = sorted(
        as_text(resource)
        for statement in policy_statements("DeliverWebhooksFunctionRole")
        if "secretsmanager:GetSecretValue" in statement["Action"]
        for resource in (
            [statement["Resource"]] if not isinstance(statement["Resource"], list) else statement["Resource"]
        )
    )

    partners, storefront = readable[1], readable[0]
    assert len(readable) == 2
    assert partners.endswith(":secret:oms/dev/partners/*")
    assert storefront == "${StorefrontWebhookSecret}"


def test_the_deliverer_writes_attempts_consumes_its_queue_and_does_nothing_else(granted_actions) -> None:
    actions = granted_actions("DeliverWebhooksFunctionRole")

    assert {"dynamodb:PutItem", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"} <= actions
    assert (
        not {
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "sqs:SendMessage",
            "ses:SendEmail",
            "events:PutEvents",
            "states:SendTaskSuccess",
            "secretsmanager:PutSecretValue",
        }
        & actions
    )


def test_only_the_admin_api_may_drain_the_dead_letter_queue(resources, policy_statements) -> None:
    readers = {
        role
        for role in resources("AWS::IAM::Role")
        for statement in policy_statements(role)
        if statement["Resource"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    }

    assert readers == {"AdminApiFunctionRole"}
