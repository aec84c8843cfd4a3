"""The OpenAPI document of the public API, generated from the handlers' own routes and models.

Each operation documents every status it really answers: its own (from the handler), the body
gate's (400, 413, 415), API Gateway's (403 for a key-required route, 429 when throttled) and the
server's (500 with a correlation id, 503 when contention outlasted the retries), each error in the
contract's envelope. `python -m local.openapi` rewrites `openapi.json`; a test fails when the file
drifts from the code, and another validates it as OpenAPI 3.1.
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi.json"
SCHEMAS = "#/components/schemas/"


@dataclass(frozen=True)
class Handler:
    module: str
    security: str | None  # the security scheme its routes need, None for customers' links


HANDLERS = (
    Handler("place_order.handler", "storefrontKey"),
    Handler("orders_api.handler", "storefrontKey"),
    Handler("cancel_order.handler", "storefrontKey"),
    Handler("tracking.handler", "partnerSignature"),
    Handler("feedback.handler", None),
    Handler("admin_api.handler", "adminKey"),
)
_DESCRIPTION = (
    "OMS takes storefront orders, reserves stock, splits them into shipments for the merchant's warehouse, "
    "third-party warehouses and drop-ship vendors, and follows each shipment to delivery and feedback. "
    'Every error is `{"error": {"code", "message", "details"}}`. Partner calls carry '
    '`X-OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.'
)
SECURITY_SCHEMES = {
    "storefrontKey": {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "The storefront's API key (the admin key is accepted too, for operators who read and "
        "cancel orders for customers).",
    },
    "adminKey": {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "The admin key (inventory, catalogue, partners, the order list); the storefront key is "
        "403 forbidden there.",
    },
    "partnerSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-OMS-Signature",
        "description": 't=<unix seconds>,v1=<hex HMAC-SHA256(partner secret, "<t>.<raw body>")>, within 300 s.',
    },
}
# What every route can answer besides its own answers: (status, code and meaning).
_EVERY_ROUTE = {
    "429": "throttled: too many requests; retry later",
    "500": "internal_error: a bug on our side; the details carry the correlation id to quote",
    "503": "unavailable: OMS is busy (contention outlasted its retries); send the same request again (Retry-After)",
}
_KEYED = {"403": "forbidden: a missing or unknown x-api-key, or a key of another party"}
_BODY = {
    "400": "validation_error: the body is not valid; details name each field",
    "413": "payload_too_large: the body is larger than any request of this route",
    "415": "unsupported_media_type: the body is declared as something other than JSON",
}
_PARAMETERS = {"400": "validation_error: a query or path parameter is not valid; details name it"}
# Powertools documents its own validation answer; OMS answers 400 in its envelope instead.
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"{SCHEMAS}ErrorEnvelope"}}},
    }


def _hoist(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its nested definitions moved into components."""
    for name, nested in schema.pop("$defs", {}).items():
        schemas.setdefault(name, nested)
    return schema


def _add_manual_bodies(document: dict[str, Any]) -> None:
    """Bodies the handlers read themselves (after the signature check, or as JSON or a form)."""
    from oms.models import FeedbackIn, TrackingEvent

    schemas = document["components"]["schemas"]
    for model in (TrackingEvent, FeedbackIn):
        schemas[model.__name__] = _hoist(model.model_json_schema(ref_template=SCHEMAS + "{model}"), schemas)
    document["paths"]["/partners/{partner_id}/tracking"]["post"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"{SCHEMAS}TrackingEvent"}}},
    }
    document["paths"]["/feedback/{token}"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"{SCHEMAS}FeedbackIn"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": f"{SCHEMAS}FeedbackIn"}},
        },
    }


def _complete(method: str, operation: dict[str, Any], handler: Handler) -> None:
    """Every status the operation answers, each error in the envelope; the framework's 422 only where
    the handler itself answers 422."""
    responses = operation["responses"]
    own_422 = responses.get("422", {})
    if "HTTPValidationError" in json.dumps(own_422):
        del responses["422"]
    extra = dict(_EVERY_ROUTE)
    if handler.security in ("storefrontKey", "adminKey"):
        extra |= _KEYED
    if method in ("post", "put", "patch"):
        extra |= _BODY
    parameters = operation.get("parameters", [])
    if any(
        p.get("in") == "query" or (p.get("in") == "path" and "maxLength" in p.get("schema", {})) for p in parameters
    ):
        extra |= _PARAMETERS
    for status, description in extra.items():
        responses.setdefault(status, _error(description))
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        # A path value no route can hold (an encoded slash, a control character) is an unknown route,
        # answered in the envelope whatever the route's own 404 is.
        not_found = responses.setdefault("404", _error("not_found: no such route"))
        not_found.setdefault("content", {}).setdefault("application/json", _error("")["content"]["application/json"])
    operation["security"] = [{handler.security: []}] if handler.security else []


def build() -> dict[str, Any]:
    functions = str(ROOT / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "OMS API", "version": "1.0.0", "description": _DESCRIPTION},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": SECURITY_SCHEMES},
    }
    operations: list[tuple[str, dict[str, Any], Handler]] = []
    for handler in HANDLERS:
        app = importlib.import_module(handler.module).app
        schema = json.loads(app.get_openapi_json_schema(openapi_version="3.1.0"))
        document["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
        for path, by_method in schema.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(by_method)
            operations += [(method, operation, handler) for method, operation in by_method.items()]
    _add_manual_bodies(document)
    for method, operation, handler in operations:
        _complete(method, operation, handler)
    schemas = document["components"]["schemas"]
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
