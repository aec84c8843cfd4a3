"""The API Gateway emulator against a hand-written template shaped like the CDK's output."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from datetime import UTC, datetime

import pytest
from api_fixtures import ADMIN, KEYS, STOREFRONT, TEMPLATE

from local.api.emulator import ApiEmulator

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class FakeLambdas:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.answer: object = {"statusCode": 200, "headers": {"Content-Type": "text/x.fake"}, "body": "{}"}

    def __call__(self, function: str, event: dict) -> dict:
        self.calls.append((function, event))
        if isinstance(self.answer, Exception):
            raise self.answer
        return copy.deepcopy(self.answer)  # type: ignore[return-value]


class FrozenClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def lambdas() -> FakeLambdas:
    return FakeLambdas()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def api(lambdas: FakeLambdas, clock: FrozenClock) -> ApiEmulator:
    return ApiEmulator(TEMPLATE, KEYS, lambdas, wall_clock=lambda: NOW, monotonic=clock)


def _get(api: ApiEmulator, path: str, key: str | None = STOREFRONT, method: str = "GET", body: bytes = b""):
    headers = {"x-api-key": key} if key else {}
    status, response_headers, raw = api.handle(method, path, {}, headers, body)
    return status, response_headers, json.loads(raw) if raw else None


def test_path_parameters_reach_the_function_named_in_the_integration_uri(api, lambdas):
    status, _, _ = _get(api, "/orders/ord-123")

    assert status == 200
    function, event = lambdas.calls[-1]
    assert function == "OrdersApiFunction99"
    assert event["resource"] == "/orders/{order_id}"
    assert event["pathParameters"] == {"order_id": "ord-123"}


def test_literal_segment_wins_over_a_path_parameter(api, lambdas):
    _get(api, "/orders/summary")
    _get(api, "/orders/ord-9/cancel", method="POST")

    assert [(f, e["resource"]) for f, e in lambdas.calls] == [
        ("SummaryFunction00", "/orders/summary"),
        ("OrdersApiFunction99", "/orders/{order_id}/cancel"),
    ]


@pytest.mark.parametrize("key", [None, "not-a-key"])
def test_missing_or_unknown_key_is_the_forbidden_envelope(api, lambdas, key):
    status, headers, body = _get(api, "/orders/ord-1", key=key)

    assert status == 403
    assert body["error"]["code"] == "forbidden"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert lambdas.calls == []


def test_key_not_in_a_usage_plan_is_forbidden(lambdas):
    template = copy.deepcopy(TEMPLATE)
    del template["Resources"]["UsagePlanAdmin"]
    api = ApiEmulator(template, KEYS, lambdas)

    assert _get(api, "/orders/ord-1", key=ADMIN)[0] == 403
    assert _get(api, "/orders/ord-1", key=STOREFRONT)[0] == 200


def test_route_without_key_requirement_needs_no_key(api, lambdas):
    status, _, _ = _get(api, "/feedback/tok-1", key=None)

    assert status == 200
    assert lambdas.calls[-1][1]["requestContext"]["identity"]["apiKeyId"] is None


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("DELETE", "/orders/ord-1"), ("GET", "/")])
def test_unknown_route_or_method_is_the_not_found_envelope(api, lambdas, method, path):
    status, headers, body = _get(api, path, method=method)

    assert status == 404
    assert body == {"error": {"code": "not_found", "message": "No such route.", "details": []}}
    assert headers["Content-Type"] == "application/json"
    assert lambdas.calls == []


def test_requests_beyond_the_burst_are_throttled_until_tokens_refill(api, clock):
    statuses = [_get(api, "/orders/ord-1")[0] for _ in range(201)]

    assert statuses[:200] == [200] * 200
    status, _, body = _get(api, "/orders/ord-1")
    assert (statuses[200], status, body["error"]["code"]) == (429, 429, "throttled")
    assert _get(api, "/orders/ord-1", key=ADMIN)[0] == 200
    clock.seconds += 0.015  # 100 requests per second refill 1.5 tokens in 15 ms
    assert [_get(api, "/orders/ord-1")[0] for _ in range(2)] == [200, 429]


@pytest.mark.parametrize(
    "answer",
    [
        RuntimeError("boom"),
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": "{}", "unexpected": True},
        {"statusCode": "two hundred"},
        {"statusCode": 200, "headers": {"X-Count": 3}},
        {"errorType": "KeyError", "errorMessage": "'order_id'"},
    ],
)
def test_lambda_error_or_malformed_proxy_response_is_a_502_envelope(api, lambdas, answer):
    lambdas.answer = answer

    status, headers, body = _get(api, "/orders/ord-1")

    assert status == 502
    assert body["error"]["code"] == "internal_error"
    assert body["error"]["message"] == "Internal server error"
    assert body["error"]["request_id"] == headers["x-amzn-RequestId"]


def test_proxy_event_has_the_rest_api_format(api, lambdas):
    body = json.dumps({"external_ref": "SHOP-1"}).encode()
    headers = {"x-api-key": STOREFRONT, "Content-Type": "application/json", "User-Agent": "curl/8"}
    headers["Host"] = "h:3000"

    api.handle("POST", "/orders", {"tag": ["a", "b"], "x": ["1"]}, headers, body, source_ip="10.0.0.7")

    event = lambdas.calls[-1][1]
    assert event["httpMethod"] == "POST" and event["path"] == "/orders" and event["resource"] == "/orders"
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueHeaders"]["User-Agent"] == ["curl/8"]
    assert event["queryStringParameters"] == {"tag": "b", "x": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "x": ["1"]}
    assert event["pathParameters"] is None and event["stageVariables"] is None
    assert (event["body"], event["isBase64Encoded"]) == (body.decode(), False)
    context = event["requestContext"]
    assert context["path"] == "/dev/orders" and context["stage"] == "dev"
    assert context["resourcePath"] == "/orders"
    assert context["accountId"] == "123456789012" and context["httpMethod"] == "POST"
    assert len(context["resourceId"]) == 6
    assert context["requestTimeEpoch"] == int(NOW.timestamp() * 1000)
    assert context["requestTime"] == "26/Nov/2026:10:00:00 +0000"
    assert context["domainName"] == "h:3000" and context["apiId"] == api.api_id
    uuid.UUID(context["requestId"])
    identity = context["identity"]
    assert identity["apiKey"] == STOREFRONT and identity["apiKeyId"] == "StorefrontKeyE1F2A3B4"
    assert identity["sourceIp"] == "10.0.0.7" and identity["userAgent"] == "curl/8"


def test_body_that_is_not_utf8_arrives_base64_encoded(api, lambdas):
    api.handle("POST", "/orders", {}, {"x-api-key": STOREFRONT}, b"\xff\xfe")

    event = lambdas.calls[-1][1]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe"


def test_admin_key_carries_its_own_key_id(api, lambdas):
    _get(api, "/orders/ord-1", key=ADMIN)

    assert lambdas.calls[-1][1]["requestContext"]["identity"]["apiKeyId"] == "AdminKey5C6D7E8F"


def test_proxy_response_becomes_the_http_response(api, lambdas):
    lambdas.answer = {
        "statusCode": 202,
        "headers": {"Location": "/orders/ord-1"},
        "multiValueHeaders": {"Content-Type": ["text/plain"], "X-Tag": ["a", "b"]},
        "body": base64.b64encode(b"accepted").decode(),
        "isBase64Encoded": True,
    }

    status, headers, raw = api.handle("POST", "/orders", {}, {"x-api-key": STOREFRONT}, b"{}")

    assert (status, raw) == (202, b"accepted")
    assert headers["Location"] == "/orders/ord-1"
    assert headers["Content-Type"] == "text/plain" and headers["X-Tag"] == "a, b"


def test_proxy_response_without_content_type_is_served_as_json(api, lambdas):
    lambdas.answer = {"statusCode": 200, "body": '{"ok": true}'}

    status, headers, raw = api.handle("GET", "/orders/ord-1", {}, {"x-api-key": STOREFRONT}, b"")

    assert (status, headers["Content-Type"], raw) == (200, "application/json", b'{"ok": true}')


def test_without_gateway_responses_it_answers_like_api_gateway(lambdas):
    template = {
        "Resources": {n: r for n, r in TEMPLATE["Resources"].items() if r["Type"] != "AWS::ApiGateway::GatewayResponse"}
    }
    api = ApiEmulator(template, KEYS, lambdas)

    assert _get(api, "/nowhere")[::2] == (403, {"message": "Missing Authentication Token"})
    assert _get(api, "/orders/ord-1", key=None)[::2] == (403, {"message": "Forbidden"})
    lambdas.answer = RuntimeError("boom")
    assert _get(api, "/orders/ord-1")[::2] == (502, {"message": "Internal server error"})


def test_routes_are_the_template_methods(api):
    assert api.routes() == [
        ("GET", "/feedback/{token}", False),
        ("GET", "/orders/summary", True),
        ("GET", "/orders/{order_id}", True),
        ("POST", "/orders", True),
        ("POST", "/orders/{order_id}/cancel", True),
    ]


def test_stage_method_throttle_is_one_bucket_per_method_shared_by_every_client(lambdas, clock):
    template = copy.deepcopy(TEMPLATE)
    template["Resources"]["OmsApiDeploymentStagedev"]["Properties"]["MethodSettings"] = [
        {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 2},
        {
            "ResourcePath": "/~1orders~1{order_id}",
            "HttpMethod": "GET",
            "ThrottlingRateLimit": 1,
            "ThrottlingBurstLimit": 3,
        },
    ]
    api = ApiEmulator(template, KEYS, lambdas, monotonic=clock)

    feedback = [_get(api, "/feedback/tok", key=None)[0] for _ in range(3)]
    orders = [_get(api, "/orders/ord-1", key=k)[0] for k in (STOREFRONT, ADMIN, STOREFRONT, ADMIN)]

    assert feedback == [200, 200, 429]
    assert orders == [200, 200, 200, 429]
