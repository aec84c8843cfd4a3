"""Lambda's SQS pollers: each mapped queue's visible messages delivered to its function in batches.

One worker per enabled `AWS::Lambda::EventSourceMapping` whose source is a queue. A worker receives up
to `BatchSize` visible messages, invokes the function synchronously through moto's Lambda (so the local
runtime runs it: chaos, settle and one run at a time apply) with the event Lambda sends, and deletes
what succeeded: every message when the function returned, all but the listed ones when it reports
batch item failures (`FunctionResponseTypes: ["ReportBatchItemFailures"]`), none when it failed. What
is not deleted comes back once its visibility timeout has passed on the local clock, and SQS moves it
to the dead-letter queue after `maxReceiveCount` receives. Visible messages in a mapped queue are work
in flight for settle (`has_visible`); messages invisible until a later clock time are not.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.sqs.models import sqs_backends

from local.aws import clients
from local.aws.template import ACCOUNT_ID, REGION
from local.runtime import settle

log = logging.getLogger("local.runtime.queue_poller")

POLL_SECONDS = 0.01
# What ReceiveMessage returns at most per call.
RECEIVE_LIMIT = 10
# The message attributes Lambda copies into a record's `attributes`.
RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DeadLetterQueueSourceArn",
)


class QueuePoller:
    """Polls every queue an enabled event source mapping names, on threads of its own."""

    def __init__(self, account_id: str = ACCOUNT_ID, region: str = REGION) -> None:
        self.account_id, self.region = account_id, region
        self._stop = threading.Event()
        self._workers: dict[str, threading.Thread] = {}
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        """Start a worker for each queue mapping now, and for those created later."""
        if self._supervisor is not None:
            return
        self._stop.clear()
        self._start_workers()
        self._supervisor = threading.Thread(target=self._supervise, name="oms-local-queue-poller", daemon=True)
        self._supervisor.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in [self._supervisor, *self._workers.values()]:
            if thread is not None:
                thread.join(timeout=5)
        self._supervisor = None
        self._workers.clear()

    def has_visible(self) -> bool:
        """True while the poller runs and an enabled mapping's queue holds a message a receive would return
        now (a stack that does not poll leaves its messages to the test)."""
        if self._supervisor is None:
            return False
        return any(self._visible(mapping) for mapping in self._mappings().values() if mapping.enabled)

    def _mappings(self) -> dict[str, Any]:
        mappings = lambda_backend(self.account_id, self.region)._event_source_mappings
        return {uuid: mapping for uuid, mapping in list(mappings.items()) if ":sqs:" in mapping.event_source_arn}

    def _visible(self, mapping: Any) -> bool:
        queue = sqs_backends[self.account_id][self.region].queues.get(mapping.event_source_arn.split(":")[-1])
        return bool(queue is not None and queue.messages)

    def _supervise(self) -> None:
        while not self._stop.wait(POLL_SECONDS * 10):
            self._start_workers()

    def _start_workers(self) -> None:
        for uuid in self._mappings():
            if uuid not in self._workers:
                worker = threading.Thread(target=self._poll, args=(uuid,), name=f"oms-local-poller-{uuid}", daemon=True)
                self._workers[uuid] = worker
                worker.start()

    def _poll(self, uuid: str) -> None:
        while not self._stop.is_set():
            mapping = self._mappings().get(uuid)
            if mapping is None:
                return
            if not (mapping.enabled and self._visible(mapping)):
                self._stop.wait(POLL_SECONDS)
                continue
            try:
                with settle.in_flight():
                    deliver_batch(mapping, self.region)
            except Exception:  # noqa: BLE001 - a poller outlives one bad batch, as Lambda's does
                log.exception("delivering a batch from %s failed", mapping.event_source_arn)
                self._stop.wait(POLL_SECONDS)


def deliver_batch(mapping: Any, region: str = REGION) -> None:
    """Receive one batch, invoke the function with it, and delete what succeeded."""
    sqs = clients.client("sqs", region)
    queue_url = sqs.get_queue_url(QueueName=mapping.event_source_arn.split(":")[-1])["QueueUrl"]
    messages = _receive(sqs, queue_url, int(mapping.batch_size))
    if not messages:
        return
    event = {"Records": [_record(message, mapping.event_source_arn, region) for message in messages]}
    answer = clients.client("lambda", region).invoke(
        FunctionName=mapping.function_arn, InvocationType="RequestResponse", Payload=json.dumps(event)
    )
    payload = answer["Payload"].read()
    if answer.get("FunctionError"):
        log.warning("%s failed a batch of %d; SQS redelivers it", mapping.function_arn, len(messages))
        return
    failed = _failed_ids(payload, messages, mapping.function_response_types or [])
    done = [message for message in messages if message["MessageId"] not in failed]
    for start in range(0, len(done), RECEIVE_LIMIT):
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(done[start : start + RECEIVE_LIMIT])
            ],
        )


def _receive(sqs: Any, queue_url: str, batch_size: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while len(messages) < batch_size:
        received = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(RECEIVE_LIMIT, batch_size - len(messages)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not received:
            break
        messages.extend(received)
    return messages


def _failed_ids(payload: bytes, messages: list[dict[str, Any]], response_types: list[str]) -> set[str]:
    """The ids to keep: those reported failed; every id when the report is not one Lambda accepts."""
    if "ReportBatchItemFailures" not in response_types:
        return set()
    everything = {message["MessageId"] for message in messages}
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        return everything
    if not isinstance(answer, dict) or not answer.get("batchItemFailures"):
        return set()
    failures = answer["batchItemFailures"]
    identifiers = [failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures]
    if not all(isinstance(identifier, str) and identifier in everything for identifier in identifiers):
        # Lambda treats a report naming no message of the batch as the whole batch failing.
        return everything
    return set(identifiers)  # type: ignore[arg-type]


def _record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            name: value for name, value in message.get("Attributes", {}).items() if name in RECORD_ATTRIBUTES
        },
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute
