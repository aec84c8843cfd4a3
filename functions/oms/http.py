"""The API side shared by every HTTP handler: the contract's error envelope, the resolver that uses it,
and the gate every request body passes before a route reads it."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from oms import request_body
from oms.errors import DomainError, TransientError
from oms.observability import logger

RETRY_AFTER_SECONDS = 1


def problem(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def field_path(location: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "lines", 0, "quantity")` -> `lines[0].quantity`, as the contract names fields."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def details_from(errors: list[Any]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            return [{"field": "body", "message": "the body is not valid JSON"}]
        if error.get("type") == "missing":
            message = "is required"
        details.append({"field": field_path(error.get("loc", ())), "message": message})
    return details


def invalid(error: ValidationError | RequestValidationError, what: str = "The request") -> Response:
    return problem(400, "validation_error", f"{what} is not valid.", details_from(list(error.errors())))


class InvalidRequest(DomainError):
    """The client's request does not validate: a 400 naming each field. Only what the client sent
    becomes this; a model that fails on the server's own data is a bug, answered 500."""

    status, code = 400, "validation_error"

    @classmethod
    def of(cls, error: ValidationError, what: str = "The request") -> InvalidRequest:
        return cls(f"{what} is not valid.", details_from(list(error.errors())))

    @classmethod
    def bad_cursor(cls, same: str) -> InvalidRequest:
        """A page's cursor this API did not give out for the same `same` (filters, location, target)."""
        message = f"use the next_cursor of the previous page, {same}"
        return cls("The cursor is not one this API gave out.", [{"field": "cursor", "message": message}])


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def admit(event: dict[str, Any], *, forms: bool = False) -> dict[str, Any]:
    """The event with its body checked and read as text (a JSON body declared as such when the client
    declared nothing), or a DomainError saying why the body is refused."""
    if str(event.get("httpMethod", "")).upper() not in _BODY_METHODS:
        return event
    document = request_body.text(event, forms=forms)
    if request_body.media_type(event) != request_body.FORM:
        request_body.parse_json(document)
    admitted = {**event, "body": document, "isBase64Encoded": False}
    if request_body.media_type(event) is None:
        admitted["headers"] = {**(event.get("headers") or {}), "Content-Type": request_body.JSON}
    return admitted


def proxy_problem(error: DomainError) -> dict[str, Any]:
    """An error as the Lambda proxy answer API Gateway relays."""
    body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def resolve(
    app: APIGatewayRestResolver, event: dict[str, Any], context: Any, *, gate: bool = True, forms: bool = False
) -> dict[str, Any]:
    """Answer one API Gateway event: its body admitted first (unless the route reads raw bytes itself)."""
    if gate:
        try:
            event = admit(event, forms=forms)
        except DomainError as refused:
            return proxy_problem(refused)
    return dict(app.resolve(event, context))


def resolver() -> APIGatewayRestResolver:
    """A REST resolver whose every error, the framework's or the domain's, is the contract's envelope."""
    app = APIGatewayRestResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response:
        return invalid(error)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response:
        return problem(error.status, error.code, error.message, error.details)

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return problem(404, "not_found", "No such route.")

    @app.exception_handler(TransientError)
    def _busy(error: TransientError) -> Response:
        # Contention, throttling or an unreachable service that outlasted the retries in place: the same
        # request is safe to send again (a write is refused whole, and a repeat does nothing twice).
        logger.warning("request gave up on a busy dependency", extra={"reason": str(error)})
        answer = problem(503, "unavailable", "OMS is busy right now; send the same request again shortly.")
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        correlation_id = logger.get_correlation_id() or getattr(app.lambda_context, "aws_request_id", None)
        logger.exception("unexpected error", extra={"correlation_id": correlation_id})
        return problem(
            500,
            "internal_error",
            "Something went wrong on our side; it has been logged. Quote the correlation id if you ask us.",
            [{"message": "the id of this request in our logs", "correlation_id": correlation_id}],
        )

    return app
