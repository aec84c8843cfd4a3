"""GET /orders/{order_id}: the order as the storefront sees it."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import orders
from oms.http import resolve, resolver
from oms.models import ErrorEnvelope, OrderView
from oms.observability import logger, metrics
from oms.settings import requires

app = resolver()


@app.get(
    "/orders/<order_id>",
    summary="Read an order",
    responses={
        200: {"description": "The order", "content": {"application/json": {"model": OrderView}}},
        404: {"description": "order_not_found", "content": {"application/json": {"model": ErrorEnvelope}}},
    },
)
def get_order(order_id: str) -> OrderView:
    logger.append_keys(order_id=order_id)
    return orders.view(order_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@requires("orders_table")
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
