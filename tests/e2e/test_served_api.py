"""What the local stack serves is what the synthesized template declares."""

from typing import Any

from tests.e2e.conftest import Client


def _template_routes(template: dict[str, Any]) -> set[tuple[str, str, bool, str]]:
    """(method, path, key required, the key's party: the admin function's routes take the admin key)."""
    resources = template["Resources"]
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = "" if "Fn::GetAtt" in parent else path_of(parent["Ref"])
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    return {
        (
            p["HttpMethod"],
            path_of(p["ResourceId"]["Ref"]),
            bool(p.get("ApiKeyRequired")),
            "admin" if "AdminApiFunction" in str(p.get("Integration", {}).get("Uri")) else "storefront",
        )
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Method"
        for p in [r["Properties"]]
        if p["HttpMethod"] != "OPTIONS"
    }


def test_every_template_route_is_served_with_its_key_requirement(oms_local: Client, template: dict[str, Any]) -> None:
    routes = _template_routes(template)
    assert ("POST", "/orders", True, "storefront") in routes
    assert ("GET", "/inventory/{sku}", True, "admin") in routes

    for method, path, key_required, party in routes:
        concrete = path.replace("{order_id}", "ORD-X").replace("{partner_id}", "main-warehouse").replace("{token}", "t")
        without_key = oms_local.call(method, concrete, {} if method == "POST" else None, key=None)
        with_key = oms_local.call(method, concrete, {} if method == "POST" else None, key=party)
        if key_required:
            assert (without_key.status, without_key.json["error"]["code"]) == (403, "forbidden"), path
            assert with_key.status != 403, path
        else:
            # Reached the function: whatever it answers, it is not the gateway's 403 or unknown route.
            assert without_key.status != 403, path
            assert b'"code": "not_found"' not in without_key.body.replace(b'":"', b'": "'), path


def test_the_openapi_document_is_served(oms_local: Client) -> None:
    answer = oms_local.call("GET", "/_local/openapi.json", key=None)

    assert answer.status == 200
    assert "/orders" in answer.json["paths"]
