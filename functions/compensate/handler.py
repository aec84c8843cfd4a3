"""State `Compensate`: the order could not finish; release, mark FAILED, tell the customer."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import fulfilment
from oms.observability import logger, metrics, tracer
from oms.steps import CompensateStep


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, str]:
    step = CompensateStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    logger.error("order failed", extra={"error": step.error})
    fulfilment.compensate(step.order_id, step.error)
    return {"order_id": step.order_id, "status": "FAILED"}
