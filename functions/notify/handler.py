"""State `NotifyOutcome`: send the email an allocation round owes the customer, once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.notify import notify_outcome
from oms.observability import logger, metrics
from oms.settings import requires
from oms.steps import NotifyOutput, NotifyStep


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("orders_table", "catalog_table")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    step = NotifyStep.model_validate(event)
    logger.append_keys(order_id=step.order_id)
    return NotifyOutput(sent=notify_outcome(step.order_id, step.kind) if step.kind else []).model_dump(mode="json")
