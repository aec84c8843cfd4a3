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
