"""POST /orders: accept a storefront's order and start its execution."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import orders
from oms.http import resolve, resolver
from oms.models import ErrorEnvelope, OrderAccepted, PlaceOrder
from oms.observability import logger, metrics
from oms.settings import requires

app = resolver()


@app.post(
    "/orders",
    summary="Place an order",
    status_code=202,
    responses={
        202: {"description": "Accepted", "content": {"application/json": {"model": OrderAccepted}}},
        400: {"description": "Invalid body", "content": {"application/json": {"model": ErrorEnvelope}}},
        409: {
            "description": "idempotency_conflict or request_in_progress",
            "content": {"application/json": {"model": ErrorEnvelope}},
        },
        422: {
            "description": "unknown_sku, or undeliverable_address (the mail service refuses the customer's address)",
            "content": {"application/json": {"model": ErrorEnvelope}},
        },
    },
)
def place_order(
    order: Annotated[PlaceOrder, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> Response[OrderAccepted]:
    accepted = orders.place(order, idempotency_key=idempotency_key, lambda_context=app.lambda_context)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=accepted,
        headers={"Location": f"/orders/{accepted.order_id}"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@requires("orders_table", "catalog_table", "state_machine_arn")
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
