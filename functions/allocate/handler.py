"""State `Allocate`: reserve stock and split the order into shipments."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.allocate import allocate_order
from oms.observability import logger, metrics
from oms.settings import requires
from oms.steps import OrderStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("orders_table", "inventory_table", "catalog_table", "webhook_queue_url")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = OrderStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    return allocate_order(step.order_id).model_dump(mode="json")
