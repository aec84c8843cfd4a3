"""What the template says of its REST API: the route tree, each route's function, and the usable keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    key_required: bool
    function: str | None
    integration: dict


def of_type(template: dict, kind: str) -> dict[str, dict]:
    resources = template.get("Resources", {})
    return {name: r.get("Properties", {}) for name, r in resources.items() if r.get("Type") == kind}


def _ref(value: Any) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


def on_api(props: dict, api: str) -> bool:
    return _ref(props.get("RestApiId")) == api


def _function_of(uri: Any) -> str | None:
    """The logical id in the integration Uri's `Fn::GetAtt [<Function>, "Arn"]`, wherever the Join put it."""
    if isinstance(uri, dict):
        att = uri.get("Fn::GetAtt")
        if isinstance(att, list) and len(att) == 2 and att[1] == "Arn":
            return str(att[0])
        uri = list(uri.values())
    if isinstance(uri, list):
        return next((found for part in uri if (found := _function_of(part))), None)
    return None


def read_routes(template: dict, api: str) -> dict[str, dict[str, Route]]:
    """Resource path -> method -> route; the tree is walked through each Resource's ParentId `Ref`."""
    resources = {n: p for n, p in of_type(template, "AWS::ApiGateway::Resource").items() if on_api(p, api)}
    paths: dict[str, str] = {}

    def path_of(resource_id: str | None) -> str:
        if resource_id is None:  # `Fn::GetAtt [Api, RootResourceId]` is the root
            return "/"
        if resource_id not in paths:
            props = resources[resource_id]
            paths[resource_id] = path_of(_ref(props["ParentId"])).rstrip("/") + "/" + props["PathPart"]
        return paths[resource_id]

    routes: dict[str, dict[str, Route]] = {path_of(r): {} for r in resources}
    for props in of_type(template, "AWS::ApiGateway::Method").values():
        if on_api(props, api):
            path, integration = path_of(_ref(props.get("ResourceId"))), props.get("Integration", {})
            method = props["HttpMethod"].upper()
            function = _function_of(integration.get("Uri"))
            routes.setdefault(path, {})[method] = Route(
                method, path, bool(props.get("ApiKeyRequired")), function, integration
            )
    return routes


def read_keys(template: dict, api: str, stage_id: str | None, api_keys: dict[str, str]) -> dict:
    """Key value -> (key logical id, (rate, burst) or None), for enabled keys in a usage plan on the stage."""
    plans = {
        name: p
        for name, p in of_type(template, "AWS::ApiGateway::UsagePlan").items()
        if any(_ref(s.get("ApiId")) == api and _ref(s.get("Stage")) in (stage_id, None) for s in p.get("ApiStages", []))
    }
    plan_of_key = {
        _ref(p.get("KeyId")): plans[plan_id]
        for p in of_type(template, "AWS::ApiGateway::UsagePlanKey").values()
        if (plan_id := _ref(p.get("UsagePlanId"))) in plans
    }
    keys = [n for n, p in of_type(template, "AWS::ApiGateway::ApiKey").items() if p.get("Enabled", True)]
    known = {}
    for value, kind in api_keys.items():
        prefix = kind[:1].upper() + kind[1:] + "Key"  # CDK appends a hash to `StorefrontKey`
        key_id = next((k for k in sorted(keys) if k.startswith(prefix) and k in plan_of_key), None)
        if key_id:
            throttle = plan_of_key[key_id].get("Throttle")
            limits = (float(throttle["RateLimit"]), float(throttle["BurstLimit"])) if throttle else None
            known[value] = (key_id, limits)
    return known
