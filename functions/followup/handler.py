"""Scheduler target `feedback-<order_id>`: ask the customer for feedback, once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import followup
from oms.observability import logger, metrics
from oms.repository.dynamo import TIMER_ATTEMPTS, retried
from oms.settings import requires
from oms.steps import FollowupOutput, OrderStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("orders_table", "catalog_table", "feedback_key_secret_arn", "public_base_url")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = OrderStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    sent = retried(lambda: followup.request_feedback(step.order_id), TIMER_ATTEMPTS)
    return FollowupOutput(sent=sent).model_dump(mode="json")
