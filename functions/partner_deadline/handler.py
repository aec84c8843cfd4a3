"""Scheduler target `deadline-<shipment_id>-<stage>`: a partner that has not answered in time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import deadlines
from oms.fulfilment.common import load
from oms.observability import logger, metrics
from oms.repository.dynamo import TIMER_ATTEMPTS, retried
from oms.settings import requires
from oms.steps import DeadlineOutput, DeadlineStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires(
    "orders_table", "catalog_table", "schedule_group_name", "scheduler_role_arn", "schedule_dead_letter_queue_arn"
)
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = DeadlineStep.model_validate(event)
    logger.append_keys(order_id=step.order_id, shipment_id=step.shipment_id)
    # The next stage's timer targets this same function: its own ARN, which its environment can't name.
    own_arn = context.invoked_function_arn

    def act() -> bool:
        if not deadlines.still_waiting(step.order_id, step.shipment_id):
            return False
        return deadlines.passed(load(step.order_id), step.shipment_id, step.stage, own_arn)

    acted = retried(act, TIMER_ATTEMPTS)
    return DeadlineOutput(acted=acted).model_dump(mode="json")
