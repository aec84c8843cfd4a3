"""States `NotifyOutcome` and `NotifyShipment`: send the emails due, each once."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import fulfilment
from oms.observability import logger, metrics, tracer
from oms.steps import NotifyStep


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, list[str]]:
    step = NotifyStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    if step.shipment_id:
        return {"sent": fulfilment.notify_shipment(step.order_id, step.shipment_id)}
    if not step.kind:
        raise ValueError("notify needs a kind or a shipment_id")
    fulfilment.notify_outcome(step.order_id, step.kind)
    return {"sent": [step.kind]}
