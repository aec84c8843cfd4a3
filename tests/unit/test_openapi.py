"""openapi.json is generated from the handlers: it must say what the code does."""

import json

from local.openapi import DOCUMENT, render


def test_openapi_document_matches_the_handlers() -> None:
    assert json.loads(DOCUMENT.read_text()) == json.loads(render()), "run `make openapi` and commit openapi.json"


def test_every_storefront_route_requires_the_key_and_partner_routes_the_signature() -> None:
    document = json.loads(render())

    security = {
        (method.upper(), path): op.get("security")
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }

    assert security[("POST", "/orders")] == [{"storefrontKey": []}]
    assert security[("POST", "/partners/{partner_id}/tracking")] == [{"partnerSignature": []}]
    assert security[("GET", "/feedback/{token}")] == []


def test_the_document_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(json.loads(DOCUMENT.read_text()))


def test_every_error_answer_is_the_envelope_and_every_route_documents_the_gateways_and_servers() -> None:
    document = json.loads(render())

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"429", "500", "503"} <= set(responses), (method, path)
            for status, response in responses.items():
                json_body = response.get("content", {}).get("application/json", {}).get("schema", {})
                if int(status) >= 400 and json_body:
                    assert json_body == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, status)
    assert "HTTPValidationError" not in json.dumps(document)


def test_the_enums_partners_and_storefronts_rely_on_are_documented() -> None:
    schemas = json.loads(render())["components"]["schemas"]

    assert schemas["RejectionReason"]["enum"] == ["out_of_stock", "incorrect_address", "other"]
    assert "IN_TRANSIT" in schemas["ShipmentStatus"]["enum"]
    assert {"OrderFailed", "EmailUndeliverable"} <= set(schemas["TimelineType"]["enum"])
    assert {"storefrontKey", "adminKey", "partnerSignature"} <= set(
        json.loads(render())["components"]["securitySchemes"]
    )
