"""State `Compensate`: the order could not finish; release, mark FAILED, tell the customer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.compensate import compensate
from oms.observability import logger, metrics, redact
from oms.settings import requires
from oms.steps import CompensateOutput, CompensateStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("orders_table", "inventory_table", "catalog_table", "webhook_queue_url")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = CompensateStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    error = step.error or {}
    logger.error("order failed", extra={"error": error.get("Error"), "cause": redact(str(error.get("Cause", "")))})
    compensate(step.order_id, step.error)
    return CompensateOutput(order_id=step.order_id, status="FAILED").model_dump(mode="json")
