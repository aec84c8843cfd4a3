"""State `DispatchAndWait` (.waitForTaskToken): send the round's shipments once, park the token until the
order's path changes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.dispatch import dispatch
from oms.observability import logger, metrics
from oms.settings import requires
from oms.steps import DispatchStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires(
    "orders_table",
    "catalog_table",
    "schedule_group_name",
    "scheduler_role_arn",
    "schedule_dead_letter_queue_arn",
    "deadline_function_arn",
    "followup_function_arn",
    "webhook_queue_url",
)
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = DispatchStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    dispatch(step.order_id, step.shipment_ids, step.task_token)
    return {"shipment_ids": step.shipment_ids}
