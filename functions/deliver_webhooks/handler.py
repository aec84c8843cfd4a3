"""The webhook queue's consumer: each message delivered, signed, once per receive; the failed ones handed
back with their next visibility set to the backoff (ReportBatchItemFailures)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from oms import aws, delivery
from oms.observability import logger, metrics
from oms.settings import requires, settings
from oms.webhooks import Delivery, backoff


def _attempt(record: dict[str, Any]) -> int:
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)


def _handle(record: dict[str, Any]) -> bool:
    """True when the record is done with (delivered, dropped); False to have the queue hand it back."""
    try:
        message = Delivery.model_validate_json(record["body"])
    except (KeyError, ValidationError):
        # No attempt can ever deliver it: kept in the logs, not retried.
        logger.error("webhook message malformed", extra={"message_id": record.get("messageId")})
        metrics.add_metric(name="WebhooksMalformed", unit="Count", value=1)
        return True
    attempt = _attempt(record)
    logger.append_keys(event_id=message.event_id, attempt=attempt, order_id=message.event.get("order_id"))
    try:
        retry_in = delivery.deliver(message, attempt)
    except Exception:  # noqa: BLE001 - a secret or the catalogue unreadable now: tried again later
        logger.exception("webhook not attempted")
        retry_in = backoff(attempt)
    if retry_in is None:
        return True
    try:
        aws.client("sqs").change_message_visibility(
            QueueUrl=settings().webhook_queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=retry_in
        )
    except Exception:  # noqa: BLE001 - the queue's visibility timeout applies instead
        logger.exception("webhook retry not delayed")
    return False


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("orders_table", "catalog_table", "webhook_queue_url")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    failures = [{"itemIdentifier": record["messageId"]} for record in event.get("Records", []) if not _handle(record)]
    return {"batchItemFailures": failures}
