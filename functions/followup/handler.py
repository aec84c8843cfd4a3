"""Scheduler target `feedback-<order_id>`: ask the customer for feedback, once."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import followup
from oms.observability import logger, metrics, tracer
from oms.steps import OrderStep


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, bool]:
    step = OrderStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    return {"sent": followup.request_feedback(step.order_id)}
