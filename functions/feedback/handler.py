"""GET and POST /feedback/{token}: the customer's rating page and its answer."""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from feedback.page import rating_page, thank_you_page
from oms import followup
from oms.errors import DomainError
from oms.http import invalid, problem, resolver
from oms.models import ErrorEnvelope, FeedbackIn, FeedbackStored
from oms.observability import logger, metrics, tracer
from oms.settings import requires

app = resolver()


def _wants_html() -> bool:
    content_type = app.current_event.headers.get("content-type") or app.current_event.headers.get("Content-Type") or ""
    return content_type.startswith("application/x-www-form-urlencoded")


@app.get(
    "/feedback/<token>",
    summary="The feedback page (HTML)",
    responses={
        200: {"description": "An HTML page with a 1-5 rating and a comment box", "content": {"text/html": {}}},
        404: {"description": "invalid_token", "content": {"text/html": {}}},
    },
)
def feedback_page(token: str) -> Response[str]:
    try:
        order = followup.order_of_token(token)
    except DomainError as error:
        return Response(
            status_code=error.status,
            content_type=content_types.TEXT_HTML,
            body=thank_you_page("This link does not work", escape(error.message)),
        )
    return Response(
        status_code=200,
        content_type=content_types.TEXT_HTML,
        body=rating_page(order.external_ref, order.customer.name, already=order.feedback is not None),
    )


@app.post(
    "/feedback/<token>",
    summary="Give feedback: JSON or the page's form",
    responses={
        201: {"description": "Stored", "content": {"application/json": {"model": FeedbackStored}}},
        400: {"description": "validation_error", "content": {"application/json": {"model": ErrorEnvelope}}},
        404: {"description": "invalid_token", "content": {"application/json": {"model": ErrorEnvelope}}},
        409: {"description": "feedback_exists", "content": {"application/json": {"model": ErrorEnvelope}}},
    },
)
def give_feedback(token: str) -> Response[Any]:
    raw = app.current_event.decoded_body or ""
    html = _wants_html()
    try:
        if html:
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            answer = FeedbackIn.model_validate({"rating": form.get("rating"), "comment": form.get("comment") or None})
        else:
            answer = FeedbackIn.model_validate(json.loads(raw or "null"))
        stored = followup.give_feedback(token, answer)
    except (ValidationError, json.JSONDecodeError) as error:
        if html:
            return Response(
                status_code=400,
                content_type=content_types.TEXT_HTML,
                body=thank_you_page("Please choose a rating", "Pick 1 to 5 stars and send again."),
            )
        if isinstance(error, json.JSONDecodeError):
            return problem(
                400,
                "validation_error",
                "The body is not valid JSON.",
                [{"field": "body", "message": "the body is not valid JSON"}],
            )
        return invalid(error, "The feedback")
    except DomainError as error:
        if html:
            return Response(
                status_code=error.status,
                content_type=content_types.TEXT_HTML,
                body=thank_you_page("Thank you", escape(error.message)),
            )
        raise
    if html:
        return Response(
            status_code=201,
            content_type=content_types.TEXT_HTML,
            body=thank_you_page("Thank you!", "Your feedback helps us do better."),
        )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=stored.model_dump())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@requires("orders_table", "feedback_key_secret_arn")
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
