"""POST /orders/{order_id}/cancel: the customer's cancellation of everything not yet shipped."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from oms.fulfilment.cancel import cancel_by_customer
from oms.http import resolve, resolver
from oms.models import ErrorEnvelope, OrderView
from oms.observability import logger, metrics
from oms.settings import requires

app = resolver()


@app.post(
    "/orders/<order_id>/cancel",
    summary="Cancel an order",
    description="Cancels every unit not yet shipped. An order already CANCELLED or FAILED answers unchanged.",
    responses={
        200: {"description": "The order after the cancellation", "content": {"application/json": {"model": OrderView}}},
        404: {"description": "order_not_found", "content": {"application/json": {"model": ErrorEnvelope}}},
        409: {
            "description": "not_cancellable: every unit not cancelled has shipped",
            "content": {"application/json": {"model": ErrorEnvelope}},
        },
    },
)
def cancel_order(order_id: str) -> OrderView:
    logger.append_keys(order_id=order_id)
    return cancel_by_customer(order_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@requires(
    "orders_table",
    "inventory_table",
    "catalog_table",
    "schedule_group_name",
    "scheduler_role_arn",
    "schedule_dead_letter_queue_arn",
    "followup_function_arn",
    "webhook_queue_url",
)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # The route takes no body and reads none: an empty POST (or any body) is a cancellation.
    return resolve(app, event, context, gate=False)
