"""State `Dispatch` (.waitForTaskToken): send the partner its request once and park the token."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import fulfilment
from oms.observability import logger, metrics, tracer
from oms.steps import DispatchStep


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, str]:
    step = DispatchStep.model_validate(event)
    logger.append_keys(order_id=step.order_id, shipment_id=step.shipment_id)
    fulfilment.dispatch(step.order_id, step.shipment_id, step.seen, step.task_token)
    return {"shipment_id": step.shipment_id}
