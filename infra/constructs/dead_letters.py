"""A dead-letter queue's shape (encrypted, TLS only, kept 14 days) and its alarm: one message waiting is one
thing OMS could not do, and someone must look."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import acknowledge, exempt_from_lint, stable_id

RETENTION = Duration.days(14)  # SQS's longest: time for someone to look
PERIOD = Duration.minutes(5)


def dead_letter_queue(scope: Construct, construct_id: str, *, named_by: str = "") -> sqs.Queue:
    """A dead-letter queue; `named_by` says what names it, when that is not another queue's RedrivePolicy
    (an EventBridge target, a schedule's target, a function's on-failure destination)."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=RETENTION,
    )
    stable_id(queue, construct_id)
    exempt_from_lint(
        queue,
        "ES6000",
        "A dead-letter queue is where failures end: nothing consumes it but an operator's redrive, so it has "
        "no dead-letter queue of its own; its alarm is the next step.",
    )
    if named_by:
        acknowledge(
            queue,
            "SQS3",
            f"This is a dead-letter queue: {named_by} names it in its own configuration, which cdk-nag does not "
            "read (it knows only a RedrivePolicy). It has its alarm.",
        )
    return queue


def dead_letter_alarm(scope: Construct, construct_id: str, queue: sqs.IQueue, description: str) -> cloudwatch.Alarm:
    """An alarm as soon as one message waits in `queue`; `description` says what it holds and what to do."""
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
        threshold=1,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    stable_id(alarm, construct_id)
    return alarm
