"""Partner endpoints: signed tracking updates, and the partner's own shipments by status."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from oms import ids, request_body, tracking
from oms.http import InvalidRequest, resolve, resolver
from oms.models import ErrorEnvelope, PartnerShipmentsPage, TrackingApplied, TrackingEvent
from oms.observability import logger, metrics
from oms.settings import requires
from oms.signatures import HEADER
from oms.statuses import ShipmentStatus

app = resolver()
_UNSIGNED = "invalid_signature: missing, wrong or stale X-OMS-Signature, or an unknown partner"


def _authenticate(partner_id: str) -> None:
    event = app.current_event.raw_event
    tracking.authenticate(partner_id, request_body.raw(event), request_body.header(event, HEADER))


@app.post(
    "/partners/<partner_id>/tracking",
    summary="Report shipment progress (signed)",
    responses={
        200: {
            "description": "Repeated event or backward move: nothing changed",
            "content": {"application/json": {"model": TrackingApplied}},
        },
        202: {"description": "Applied", "content": {"application/json": {"model": TrackingApplied}}},
        400: {"description": "validation_error", "content": {"application/json": {"model": ErrorEnvelope}}},
        404: {"description": "shipment_not_found", "content": {"application/json": {"model": ErrorEnvelope}}},
        401: {"description": _UNSIGNED, "content": {"application/json": {"model": ErrorEnvelope}}},
    },
)
def post_tracking(partner_id: str) -> Response[TrackingApplied]:
    # The signature is checked on the raw bytes, whatever they are, before the body is even read.
    _authenticate(partner_id)
    body = request_body.json_body(app.current_event.raw_event)
    try:
        update = TrackingEvent.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest.of(error, "The update") from error
    logger.append_keys(order_id=ids.order_of_shipment(update.shipment_id), shipment_id=update.shipment_id)
    applied = tracking.record(partner_id, update)
    return Response(
        status_code=202 if applied else 200,
        content_type=content_types.APPLICATION_JSON,
        body=TrackingApplied(applied=applied),
    )


@app.get(
    "/partners/<partner_id>/shipments",
    summary="A partner's shipments by status (signed)",
    responses={
        200: {"description": "A page, oldest first", "content": {"application/json": {"model": PartnerShipmentsPage}}},
        401: {"description": _UNSIGNED, "content": {"application/json": {"model": ErrorEnvelope}}},
    },
)
def list_shipments(
    partner_id: str,
    status: Annotated[ShipmentStatus, Query()] = ShipmentStatus.SENT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> PartnerShipmentsPage:
    _authenticate(partner_id)
    return tracking.shipments(partner_id, status.value, cursor)


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
)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context, gate=False)
