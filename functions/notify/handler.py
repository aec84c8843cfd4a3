"""States `NotifyOutcome` and `NotifyShipment`: send the emails due, each once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.notify import notify_outcome, notify_shipment
from oms.observability import logger, metrics, tracer
from oms.settings import requires
from oms.steps import NotifyOutput, NotifyStep


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@requires("orders_table", "catalog_table")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = NotifyStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    if step.shipment_id:
        sent = notify_shipment(step.order_id, step.shipment_id)
    elif step.kind:
        sent = notify_outcome(step.order_id, step.kind)
    else:
        raise ValueError("notify needs a kind or a shipment_id")
    return NotifyOutput(sent=sent).model_dump(mode="json")
