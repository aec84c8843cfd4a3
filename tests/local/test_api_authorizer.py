"""The emulator runs a method's Lambda REQUEST authorizer as API Gateway does: invoked with the request, its answer
cached by the identity-source header for the authorizer's TTL, its policy applied before the key check, its
context handed to the integration."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from api_fixtures import ADMIN, API, KEYS, STOREFRONT, TEMPLATE, _envelope

from local.api.authorizer_answer import glob
from local.api.emulator import ApiEmulator
from local.runtime.lambda_runtime import FunctionError

AUTHORIZER = "KeyAuthorizerFunction7A"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
PARTY = {STOREFRONT: "storefront", ADMIN: "admin"}
# What each party may call: the storefront its orders, the admin only the summary route of this template.
ALLOWED = {"storefront": ["POST/orders", "GET/orders/*", "POST/orders/*/cancel"], "admin": ["GET/orders/summary"]}


def _template(ttl: int | None = 300) -> dict:
    template = copy.deepcopy(TEMPLATE)
    resources = template["Resources"]
    resources[AUTHORIZER] = {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "authorizer.handler"}}
    uri = {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
                             {"Fn::GetAtt": [AUTHORIZER, "Arn"]}, "/invocations"]]}  # fmt: skip
    properties = {"RestApiId": API, "Type": "REQUEST", "Name": "keys", "AuthorizerUri": uri,
                  "IdentitySource": "method.request.header.x-api-key"}  # fmt: skip
    if ttl is not None:
        properties["AuthorizerResultTtlInSeconds"] = ttl
    resources["KeyAuthorizer"] = {"Type": "AWS::ApiGateway::Authorizer", "Properties": properties}
    for resource in resources.values():
        if resource["Type"] == "AWS::ApiGateway::Method" and resource["Properties"]["ApiKeyRequired"]:
            resource["Properties"].update(AuthorizationType="CUSTOM", AuthorizerId={"Ref": "KeyAuthorizer"})
    resources["Denied"] = _envelope("ACCESS_DENIED", "403", "forbidden", "Access denied.")
    resources["NoKey"] = _envelope("UNAUTHORIZED", "403", "forbidden", "A valid API key is required.")
    return template


class Lambdas:
    """The authorizer answers by the key's party; every other function answers 200."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.failure: Exception | None = None
        self.answer: object = None

    def __call__(self, function: str, event: dict) -> dict:
        self.calls.append((function, event))
        if function != AUTHORIZER:
            return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
        if self.failure is not None:
            raise self.failure
        if self.answer is not None:
            return copy.deepcopy(self.answer)  # type: ignore[return-value]
        party = PARTY.get(event["headers"].get("x-api-key"))
        stage = event["methodArn"].split("/", 2)
        resources = [f"{stage[0]}/{stage[1]}/{route}" for route in ALLOWED.get(party or "", [])]
        effect = "Allow" if party else "Deny"
        statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources or [f"{stage[0]}/*"]}
        return {"principalId": party or "nobody", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                "context": {"party": party, "trusted": True}}  # fmt: skip

    def of(self, function: str) -> list[dict]:
        return [event for name, event in self.calls if name == function]


class Clock:
    def __init__(self) -> None:
        self.seconds = 5000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def lambdas() -> Lambdas:
    return Lambdas()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _api(lambdas: Lambdas, clock: Clock, ttl: int | None = 300) -> ApiEmulator:
    return ApiEmulator(_template(ttl), KEYS, lambdas, wall_clock=lambda: NOW, monotonic=clock)


@pytest.fixture
def api(lambdas: Lambdas, clock: Clock) -> ApiEmulator:
    return _api(lambdas, clock)


def _call(api: ApiEmulator, method: str, path: str, key: str | None):
    status, headers, raw = api.handle(method, path, {"q": ["1"]}, {"x-api-key": key} if key else {}, b"")
    return status, json.loads(raw)


def test_the_authorizer_gets_a_request_event_with_the_method_arn_and_the_request(api, lambdas):
    _call(api, "POST", "/orders/ord-1/cancel", STOREFRONT)

    (event,) = lambdas.of(AUTHORIZER)
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api.api_id}/dev/POST/orders/ord-1/cancel"
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/orders/{order_id}/cancel",
        "/orders/ord-1/cancel",
        "POST",
    )
    assert event["headers"] == {"x-api-key": STOREFRONT}
    assert event["pathParameters"] == {"order_id": "ord-1"}
    assert event["queryStringParameters"] == {"q": "1"}
    assert event["requestContext"]["resourcePath"] == "/orders/{order_id}/cancel"
    assert "body" not in event


def test_an_allowed_request_reaches_the_function_with_the_authorizers_context_as_text(api, lambdas):
    status, seen = _call(api, "GET", "/orders/ord-1", STOREFRONT)

    assert status == 200
    assert seen == {"party": "storefront", "trusted": "true", "principalId": "storefront", "integrationLatency": 0}
    assert lambdas.of("OrdersApiFunction99")[0]["requestContext"]["identity"]["apiKeyId"] == "StorefrontKeyE1F2A3B4"


def test_a_route_outside_the_policy_is_the_access_denied_response_and_no_function_runs(api, lambdas):
    status, body = _call(api, "POST", "/orders", ADMIN)

    assert (status, body) == (403, {"error": {"code": "forbidden", "message": "Access denied.", "details": []}})
    assert [name for name, _ in lambdas.calls] == [AUTHORIZER]


def test_an_explicit_deny_refuses_even_where_api_gateway_would_not_know_the_key(api, lambdas):
    status, body = _call(api, "GET", "/orders/ord-1", "not-a-key")

    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert body["error"]["message"] == "Access denied."  # the authorizer answered before the key check
    assert [name for name, _ in lambdas.calls] == [AUTHORIZER]


def test_a_missing_key_header_is_refused_without_invoking_the_authorizer(api, lambdas):
    status, body = _call(api, "GET", "/orders/ord-1", None)

    assert (status, body["error"]) == (
        403,
        {"code": "forbidden", "message": "A valid API key is required.", "details": []},
    )
    assert lambdas.calls == []


def test_the_answer_is_cached_by_key_for_the_ttl_and_serves_every_route_of_the_policy(api, lambdas, clock):
    _call(api, "GET", "/orders/ord-1", STOREFRONT)
    clock.seconds += 299
    assert _call(api, "POST", "/orders/ord-2/cancel", STOREFRONT)[0] == 200
    assert _call(api, "POST", "/orders", ADMIN)[0] == 403  # another key: its own invocation
    assert len(lambdas.of(AUTHORIZER)) == 2

    clock.seconds += 1
    _call(api, "GET", "/orders/ord-1", STOREFRONT)

    assert len(lambdas.of(AUTHORIZER)) == 3


def test_a_cached_deny_still_refuses_without_invoking_again(api, lambdas):
    _call(api, "POST", "/orders", ADMIN)
    status, _ = _call(api, "POST", "/orders", ADMIN)

    assert status == 403
    assert len(lambdas.of(AUTHORIZER)) == 1
    assert lambdas.of("PlaceOrderFunctionAB12CD34") == []


def test_a_ttl_of_zero_invokes_the_authorizer_on_every_request(lambdas, clock):
    api = _api(lambdas, clock, ttl=0)
    _call(api, "GET", "/orders/ord-1", STOREFRONT)
    _call(api, "GET", "/orders/ord-1", STOREFRONT)

    assert len(lambdas.of(AUTHORIZER)) == 2


def test_an_authorizer_without_a_ttl_caches_for_api_gateways_default_five_minutes(lambdas, clock):
    api = _api(lambdas, clock, ttl=None)
    _call(api, "GET", "/orders/ord-1", STOREFRONT)
    clock.seconds += 299
    _call(api, "GET", "/orders/ord-1", STOREFRONT)

    assert len(lambdas.of(AUTHORIZER)) == 1


def test_the_authorizer_runs_before_the_key_check_and_the_key_check_still_applies(api, lambdas):
    lambdas.answer = {
        "principalId": "anyone",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:aws:execute-api:*"}]},
    }  # fmt: skip

    status, body = _call(api, "GET", "/orders/ord-1", "allowed-but-not-a-key")

    assert (status, body["error"]["message"]) == (403, "A valid API key is required.")
    assert [name for name, _ in lambdas.calls] == [AUTHORIZER]


def test_a_failing_authorizer_is_a_5xx_and_its_unauthorized_error_is_the_401_type(api, lambdas):
    lambdas.failure = FunctionError({"errorType": "KeyError", "errorMessage": "boom"})
    assert _call(api, "GET", "/orders/ord-1", STOREFRONT)[0] == 500

    lambdas.failure = FunctionError({"errorType": "Exception", "errorMessage": "Unauthorized"})
    status, body = _call(api, "GET", "/orders/ord-1", ADMIN)

    assert (status, body["error"]["code"]) == (403, "forbidden")  # UNAUTHORIZED, as the template renders it
    assert lambdas.of("OrdersApiFunction99") == []


NOT_READABLE = [
    {"policyDocument": {"Statement": []}},
    {"principalId": "x"},
    ["Allow"],
    {"principalId": "x", "policyDocument": {"Statement": ["Allow"]}},
    {"principalId": "x", "policyDocument": {"Statement": [{"Effect": "Allow", "Action": 1, "Resource": "*"}]}},
    {"principalId": "x", "policyDocument": {"Statement": []}, "context": {"nested": {"party": "admin"}}},
]


@pytest.mark.parametrize("answer", NOT_READABLE)
def test_an_answer_api_gateway_cannot_read_is_a_5xx_and_not_cached(api, lambdas, answer):
    lambdas.answer = answer
    assert _call(api, "GET", "/orders/ord-1", STOREFRONT)[0] == 500
    lambdas.answer = None

    assert _call(api, "GET", "/orders/ord-1", STOREFRONT)[0] == 200
    assert len(lambdas.of(AUTHORIZER)) == 2


def test_routes_without_an_authorizer_never_invoke_it(api, lambdas):
    assert _call(api, "GET", "/feedback/tok-1", None)[0] == 200

    assert [name for name, _ in lambdas.calls] == ["FeedbackFunction42"]


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:x:api/dev/GET/orders/*", "arn:x:api/dev/GET/orders/o-1", True),
        ("arn:x:api/dev/GET/orders/*", "arn:x:api/dev/GET/orders/o-1/cancel", True),  # `*` crosses `/`, as in IAM
        ("arn:x:api/dev/GET/orders/*", "arn:x:api/dev/GET/orders", False),
        ("arn:x:api/dev/?ET/orders", "arn:x:api/dev/GET/orders", True),
        ("arn:x:api/dev/GET/orders.", "arn:x:api/dev/GET/orders1", False),  # other characters are literal
    ],
)
def test_policy_resources_match_with_iams_wildcards(pattern, value, matches):
    assert glob(pattern, value) is matches
