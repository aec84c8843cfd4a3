"""GET and POST /feedback/{token}: the customer's rating page and its answer."""

from __future__ import annotations

from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentModel,
    OpenAPIResponseContentSchema,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from feedback.page import rating_page, thank_you_page
from oms import followup, request_body
from oms.branding import brand
from oms.errors import DomainError
from oms.http import invalid, resolve, resolver
from oms.models import ErrorEnvelope, FeedbackIn, FeedbackStored
from oms.observability import logger, metrics
from oms.settings import requires

app = resolver()


def _wants_html() -> bool:
    return request_body.media_type(app.current_event.raw_event) == request_body.FORM


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
            body=thank_you_page("This link does not work", escape(error.message), brand()),
        )
    logger.append_keys(order_id=order.order_id)
    return Response(
        status_code=200,
        content_type=content_types.TEXT_HTML,
        body=rating_page(order.external_ref, order.customer.name, order.feedback is not None, brand()),
    )


def _answer(description: str, model: type) -> OpenAPIResponse:
    """A JSON answer for API clients, and a page for the feedback form's own submissions."""
    page: OpenAPIResponseContentSchema = {
        "schema": {"type": "string", "description": "the page a form submission lands on"}
    }
    json_answer: OpenAPIResponseContentModel = {"model": model}
    return {"description": description, "content": {"application/json": json_answer, "text/html": page}}


@app.post(
    "/feedback/<token>",
    summary="Give feedback: JSON or the page's form",
    responses={
        201: _answer("Stored", FeedbackStored),
        400: _answer("validation_error", ErrorEnvelope),
        404: _answer("invalid_token", ErrorEnvelope),
        409: _answer("feedback_exists", ErrorEnvelope),
    },
)
def give_feedback(token: str) -> Response[Any]:
    document = app.current_event.body or ""
    html = _wants_html()
    try:
        if html:
            fields = request_body.form(document)
            answer = FeedbackIn.model_validate(
                {"rating": _form_rating(fields.get("rating")), "comment": fields.get("comment") or None}
            )
        else:
            answer = FeedbackIn.model_validate(request_body.parse_json(document or "null"))
        stored = followup.give_feedback(token, answer)
    except ValidationError as error:
        if html:
            return _page(400, "Please choose a rating", "Pick 1 to 5 stars and send again.")
        return invalid(error, "The feedback")
    except DomainError as error:
        if html:
            return _page(error.status, "Thank you", escape(error.message))
        raise
    if html:
        return _page(201, "Thank you!", "Your feedback helps us do better.")
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=stored.model_dump())


def _form_rating(value: str | None) -> int | str | None:
    """The page's radio buttons send the rating as text: a whole number becomes one, anything else
    stays as it came, for validation to refuse."""
    return int(value) if value is not None and value.isascii() and value.isdigit() and len(value) < 4 else value


def _page(status: int, title: str, message: str) -> Response[str]:
    return Response(
        status_code=status, content_type=content_types.TEXT_HTML, body=thank_you_page(title, message, brand())
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@requires("orders_table", "feedback_key_secret_arn")
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context, forms=True)
