"""The OpenAPI document of the public API, generated from the handlers' own routes and models.

`python -m local.openapi` rewrites `openapi.json`; a test fails when the file drifts from the code.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "openapi.json"
# (handler module, whether its routes take the storefront's x-api-key)
HANDLERS = [
    ("place_order.handler", True),
    ("orders_api.handler", True),
    ("tracking.handler", False),
    ("feedback.handler", False),
]
_DESCRIPTION = (
    "OMS takes storefront orders, reserves stock, splits them into shipments for the merchant's warehouse, "
    "third-party warehouses and drop-ship vendors, and follows each shipment to delivery and feedback. "
    'Every error is `{"error": {"code", "message", "details"}}`. Partner calls carry '
    '`X-OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.'
)


def _signed_body(schema_ref: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def build() -> dict[str, Any]:
    functions = str(ROOT / "functions")
    if functions not in sys.path:
        sys.path.insert(0, functions)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "OMS API", "version": "1.0.0", "description": _DESCRIPTION},
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "storefrontKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "partnerSignature": {"type": "apiKey", "in": "header", "name": "X-OMS-Signature"},
            },
        },
    }
    for module_name, keyed in HANDLERS:
        app = importlib.import_module(module_name).app
        schema = json.loads(app.get_openapi_json_schema(openapi_version="3.1.0"))
        document["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                operation["security"] = (
                    [{"storefrontKey": []}]
                    if keyed
                    else ([{"partnerSignature": []}] if path.startswith("/partners") else [])
                )
            document["paths"].setdefault(path, {}).update(operations)
    _add_manual_bodies(document)
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def _add_manual_bodies(document: dict[str, Any]) -> None:
    """Bodies the handlers parse themselves (after the signature check, or as JSON or a form)."""
    from oms.models import FeedbackIn, TrackingEvent

    schemas = document["components"]["schemas"]
    for model in (TrackingEvent, FeedbackIn):
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    document["paths"]["/partners/{partner_id}/tracking"]["post"]["requestBody"] = _signed_body(
        "#/components/schemas/TrackingEvent"
    )
    feedback = document["paths"]["/feedback/{token}"]["post"]
    feedback["requestBody"] = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}},
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    DOCUMENT.write_text(render())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
