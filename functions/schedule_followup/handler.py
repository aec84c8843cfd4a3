"""State `ScheduleFollowup`: create or move the order's one feedback schedule."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import followup
from oms.observability import logger, metrics, tracer
from oms.settings import requires
from oms.steps import OrderStep, ScheduleOutput


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@requires("orders_table", "schedule_group_name", "scheduler_role_arn", "followup_function_arn")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = OrderStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    return ScheduleOutput(schedule=followup.schedule(step.order_id)).model_dump(mode="json")
