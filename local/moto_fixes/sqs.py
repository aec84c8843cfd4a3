"""moto's SQS: time on the local clock, messages past their retention gone, mapped queues left to the poller."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import moto.sqs.models as sqs_models
from moto.awslambda.models import LambdaBackend
from moto.sqs.models import Queue

from local.moto_fixes.patching import patch
from oms import clock as oms_clock


def sqs_on_local_clock() -> None:
    """moto's SQS reads wall time (`moto.core.utils.unix_time`) for a message's sent and first-receive
    timestamps, its visibility timeout, its delay and its retention. On AWS those run on SQS's clock,
    which locally is the one local clock: a test advances it past a visibility timeout instead of
    sleeping through it. The fix points the two time functions moto's SQS module imported at
    `oms.clock` (real time plus every advance). Remove when moto's SQS takes its time from a source the
    local stack can move (moto's own time-travel is for its whole process, not one clock).
    """
    original_seconds = sqs_models.unix_time

    def unix_time(moment: datetime | None = None) -> float:
        return original_seconds(moment) if moment is not None else oms_clock.now().timestamp()

    def unix_time_millis(moment: datetime | None = None) -> float:
        return unix_time(moment) * 1000.0

    patch("sqs_on_local_clock", sqs_models, "unix_time", functools.wraps(original_seconds)(unix_time))
    patch("sqs_on_local_clock", sqs_models, "unix_time_millis", unix_time_millis)


def drop_expired_messages() -> None:
    """moto keeps a message past its queue's `MessageRetentionPeriod` for ever: a receive marks it
    received (so it turns invisible and counts a receive) and returns nothing for it, and it is
    visible again after each timeout. SQS deletes a message once the retention period has passed since
    it was first sent (a message moved to a dead-letter queue keeps its first send time). The fix
    removes expired messages whenever moto lists a queue's visible messages, which every receive does
    first. Remove when moto deletes messages past their retention.
    """
    original = Queue.__dict__["messages"]

    def messages(queue: Queue) -> list[Any]:
        retention_millis = int(queue.message_retention_period) * 1000  # type: ignore[attr-defined]
        now = sqs_models.unix_time_millis()
        with queue._messages_lock:
            queue._messages = [
                message
                for message in queue._messages
                if message.sent_timestamp is None or message.sent_timestamp + retention_millis > now
            ]
        return original.fget(queue)  # type: ignore[no-any-return]

    patch("drop_expired_messages", Queue, "messages", property(messages))


def leave_sqs_mappings_to_the_poller() -> None:
    """moto delivers a queue's messages to a mapped function inside `SendMessage`, in the sender's
    thread, once: with a made-up event (receive count 1, fixed timestamps and MD5), deleting the whole
    batch on success and making it visible at once on failure, never redelivering what became visible
    again later and ignoring `ReportBatchItemFailures`. On AWS, Lambda's pollers read the queue apart
    from the sender, in batches of `BatchSize`, and SQS redelivers what was not deleted after its
    visibility timeout. The fix keeps the event source mapping in moto's Lambda (listed, described,
    enabled or not) but takes it off the queue, so `SendMessage` only enqueues and the local stack's
    poller (`local/runtime/queue_poller.py`) delivers as Lambda does. Remove when moto polls mapped
    queues apart from the sender and honours visibility timeouts and batch item failures.
    """
    original = LambdaBackend.__dict__["create_event_source_mapping"]

    def create_event_source_mapping(backend: LambdaBackend, spec: dict[str, Any]) -> Any:
        mapping: Any = original(backend, spec)
        function_arn = mapping.function_arn
        for queue in sqs_models.sqs_backends[backend.account_id][backend.region_name].queues.values():
            if queue.lambda_event_source_mappings.get(function_arn) is mapping:
                del queue.lambda_event_source_mappings[function_arn]
        return mapping

    patch(
        "leave_sqs_mappings_to_the_poller",
        LambdaBackend,
        "create_event_source_mapping",
        functools.wraps(original)(create_event_source_mapping),
    )
