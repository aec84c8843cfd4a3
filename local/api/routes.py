"""What the template says of its REST API, read through the one template reader: the API, its stage,
the route tree with each route's function and Lambda authorizer, the keys its usage plans accept, and its
gateway responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local.aws.template import Template

# API Gateway's cache lifetime for an authorizer's answer when AuthorizerResultTtlInSeconds is left out.
DEFAULT_AUTHORIZER_TTL = 300


@dataclass(frozen=True)
class Authorizer:
    """A Lambda REQUEST authorizer: its function, the headers its answer is cached by, and for how long."""

    logical_id: str
    function: str | None
    headers: tuple[str, ...]
    ttl: int


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    key_required: bool
    function: str | None
    authorizer: Authorizer | None = None


@dataclass(frozen=True)
class RestApi:
    """The parts of one REST API the emulator serves."""

    logical_id: str
    stage: dict[str, Any]
    routes: dict[str, dict[str, Route]]
    keys: dict[str, tuple[str, tuple[float, float] | None]]
    responses: dict[str, dict[str, Any]]


def read_api(template: Template, api_keys: dict[str, str]) -> RestApi:
    """The template's one REST API; `api_keys` maps each key value to its kind (`storefront`, `admin`)."""
    found = list(template.of_type("AWS::ApiGateway::RestApi"))
    if len(found) != 1:
        raise ValueError(f"expected one AWS::ApiGateway::RestApi, found {sorted(found)}")
    api = found[0]
    stages = _on_api(template, "AWS::ApiGateway::Stage", api)
    stage_id, stage = next(iter(stages.items()), (None, {}))
    responses = _on_api(template, "AWS::ApiGateway::GatewayResponse", api).values()
    return RestApi(
        logical_id=api,
        stage=stage,
        routes=_routes(template, api),
        keys=_keys(template, api, stage_id, api_keys),
        responses={props["ResponseType"]: props for props in responses},
    )


def _on_api(template: Template, resource_type: str, api: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resolved properties of the resources of that type that belong to the API."""
    api_ref = template.ref(api)
    return {
        logical_id: props
        for logical_id in template.of_type(resource_type)
        if (props := template.properties(logical_id)).get("RestApiId") == api_ref
    }


def _function_of(uri: Any) -> str | None:
    """The function's name in a Lambda proxy integration URI (`...:function:<name>/invocations`)."""
    if not isinstance(uri, str) or ":function:" not in uri:
        return None
    return uri.split(":function:", 1)[1].split("/", 1)[0].split(":", 1)[0]


def _routes(template: Template, api: str) -> dict[str, dict[str, Route]]:
    """Resource path -> method -> route; the tree is walked through each Resource's ParentId."""
    resources = {
        template.ref(logical_id): props
        for logical_id, props in _on_api(template, "AWS::ApiGateway::Resource", api).items()
    }
    paths: dict[str, str] = {}

    def path_of(resource_id: str) -> str:
        if resource_id not in resources:  # the API's RootResourceId
            return "/"
        if resource_id not in paths:
            props = resources[resource_id]
            paths[resource_id] = path_of(props["ParentId"]).rstrip("/") + "/" + props["PathPart"]
        return paths[resource_id]

    authorizers = _authorizers(template, api)
    routes: dict[str, dict[str, Route]] = {path_of(resource_id): {} for resource_id in resources}
    for props in _on_api(template, "AWS::ApiGateway::Method", api).values():
        path, method = path_of(props.get("ResourceId", "")), props["HttpMethod"].upper()
        function = _function_of((props.get("Integration") or {}).get("Uri"))
        authorizer = None
        if props.get("AuthorizationType") == "CUSTOM":
            if props.get("AuthorizerId") not in authorizers:
                raise ValueError(
                    f"{method} {path} names an authorizer the emulator cannot run: {props.get('AuthorizerId')}"
                )
            authorizer = authorizers[props["AuthorizerId"]]
        key_required = bool(props.get("ApiKeyRequired"))
        routes.setdefault(path, {})[method] = Route(method, path, key_required, function, authorizer)
    return routes


def _authorizers(template: Template, api: str) -> dict[str, Authorizer]:
    """The API's Lambda REQUEST authorizers by the id a method's AuthorizerId resolves to."""
    found = {}
    for logical_id, props in _on_api(template, "AWS::ApiGateway::Authorizer", api).items():
        if props.get("Type") != "REQUEST":
            continue  # TOKEN and Cognito authorizers are not emulated; a method naming one is refused above
        sources = [source.strip() for source in str(props.get("IdentitySource") or "").split(",") if source.strip()]
        headers = tuple(
            s.removeprefix("method.request.header.") for s in sources if s.startswith("method.request.header.")
        )
        if len(headers) != len(sources):
            raise ValueError(f"{logical_id}: only header identity sources are emulated, not {sources}")
        ttl = props.get("AuthorizerResultTtlInSeconds")
        found[template.ref(logical_id)] = Authorizer(
            logical_id=logical_id,
            function=_function_of(props.get("AuthorizerUri")),
            headers=headers,
            ttl=DEFAULT_AUTHORIZER_TTL if ttl is None else int(ttl),
        )
    return found


def _keys(
    template: Template, api: str, stage_id: str | None, api_keys: dict[str, str]
) -> dict[str, tuple[str, tuple[float, float] | None]]:
    """Key value -> (key logical id, (rate, burst) or None), for enabled keys in a usage plan on the stage."""
    api_ref, stage_ref = template.ref(api), template.ref(stage_id) if stage_id else None
    plans = {}
    for plan_id in template.of_type("AWS::ApiGateway::UsagePlan"):
        props = template.properties(plan_id)
        stages = props.get("ApiStages", [])
        if any(s.get("ApiId") == api_ref and s.get("Stage") in (stage_ref, None) for s in stages):
            plans[template.ref(plan_id)] = props
    plan_of_key = {
        props.get("KeyId"): plans[props.get("UsagePlanId")]
        for key_link in template.of_type("AWS::ApiGateway::UsagePlanKey")
        if (props := template.properties(key_link)).get("UsagePlanId") in plans
    }
    enabled = {
        template.ref(key_id): key_id
        for key_id in template.of_type("AWS::ApiGateway::ApiKey")
        if template.properties(key_id).get("Enabled", True)
    }
    known = {}
    for value, kind in api_keys.items():
        prefix = kind[:1].upper() + kind[1:] + "Key"  # CDK appends a hash to `StorefrontKey`
        key_id = next((k for ref, k in sorted(enabled.items()) if k.startswith(prefix) and ref in plan_of_key), None)
        if key_id:
            throttle = plan_of_key[template.ref(key_id)].get("Throttle")
            limits = (float(throttle["RateLimit"]), float(throttle["BurstLimit"])) if throttle else None
            known[value] = (key_id, limits)
    return known
