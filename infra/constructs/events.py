"""The domain event bus, the order schedules' group and role, their dead-letter queues, and the feedback
token key.

A schedule's target is invoked asynchronously, so two things can go wrong out of sight: Scheduler fails to
invoke the function (its retries run out), or the function fails every one of Lambda's attempts. The first
lands in the schedules' dead-letter queue (each schedule's Target names it, oms.schedules), the second in the
timers' on-failure destination; each queue has its alarm."""

from __future__ import annotations

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import Config, acknowledge, stable_id
from infra.constructs.dead_letters import dead_letter_alarm, dead_letter_queue
from infra.constructs.secrets import generated_secret

# Lambda's own retries of a failed asynchronous invocation, and how long an event may wait for one.
ASYNC_RETRIES = 2
ASYNC_MAX_AGE = Duration.hours(6)


@jsii.implements(lambda_.IDestination)
class SendOnlyQueueDestination:
    """An SQS on-failure destination whose grant is what Lambda calls: `sqs:SendMessage` on the queue.

    CDK's `SqsDestination` grants `grant_send_messages`, which adds GetQueueAttributes and GetQueueUrl.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    # jsii hands the destination's options as one struct argument; the queue is the same for every type.
    @jsii.member(jsii_name="bind")
    def bind(self, _scope: Construct, fn: lambda_.IFunction, options: object = None) -> lambda_.DestinationConfig:
        fn.add_to_role_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self._queue.queue_arn]))
        return lambda_.DestinationConfig(destination=self._queue.queue_arn)


class Events(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "OmsBus")
        stable_id(self.bus, "OmsBus")

        self.schedule_group = scheduler.CfnScheduleGroup(self, "FeedbackSchedules")
        self.schedule_group.override_logical_id("FeedbackSchedules")

        # What the order's schedules run as; it may only invoke their targets (followup, partner_deadline),
        # granted in allow_target once those functions exist, and dead-letter what it could not deliver.
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="Runs the order schedules: invokes the followup and partner_deadline functions, "
            "dead-letters what it cannot.",
        )
        stable_id(self.scheduler_role, "SchedulerRole")
        self.schedule_dead_letter_queue = dead_letter_queue(
            self, "ScheduleDeadLetterQueue", named_by="each schedule's Target (DeadLetterConfig, oms.schedules)"
        )
        # SendMessage only: CDK's grant_send_messages adds GetQueueAttributes and GetQueueUrl, which Scheduler
        # never calls.
        self.scheduler_role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.schedule_dead_letter_queue.queue_arn])
        )
        self.timer_failure_queue = dead_letter_queue(
            self, "TimerFailureQueue", named_by="the timer functions' EventInvokeConfig (on-failure destination)"
        )
        self.dead_letter_alarms: tuple[cloudwatch.Alarm, ...] = (
            dead_letter_alarm(
                self,
                "ScheduleDeadLettersAlarm",
                self.schedule_dead_letter_queue,
                "Scheduler could not invoke an order's timer (followup or partner_deadline) after its retries: "
                "the message is the schedule's input; its TARGET_ARN and ERROR_MESSAGE attributes say which and why. "
                "Invoke that function with it.",
            ),
            dead_letter_alarm(
                self,
                "TimerFailuresAlarm",
                self.timer_failure_queue,
                "An order's timer (followup or partner_deadline) failed every attempt: the message holds the "
                "request and the error. Fix the cause, then invoke the function again with requestPayload.",
            ),
        )

        # Signs feedback tokens; only followup (issues) and feedback (verifies) may read it.
        self.feedback_key = generated_secret(
            self,
            "FeedbackKeySecret",
            config=config,
            description="HMAC key of the feedback links' tokens.",
            length=64,
            not_rotated_because="Verifies the tokens of feedback links already emailed to "
            "customers: a rotation would void every link sent before it, and the functions read only "
            "the current value.",
        )

    @property
    def schedule_group_name(self) -> str:
        return self.schedule_group.ref

    def allow_target(self, function: lambda_.Function) -> None:
        """Let the schedules invoke `function` (followup, partner_deadline), and nothing else; an invocation
        that fails every attempt goes to the timers' failure queue."""
        function.grant_invoke(self.scheduler_role)
        function.configure_async_invoke(
            on_failure=SendOnlyQueueDestination(self.timer_failure_queue),
            retry_attempts=ASYNC_RETRIES,
            max_event_age=ASYNC_MAX_AGE,
        )
        acknowledge(
            self.scheduler_role,
            f"IAM5[Resource::<{function.node.id}.Arn>:*]",
            "CDK's invoke grant "
            "names the function and its versions (<ARN>:*); the schedules invoke this function only.",
        )
