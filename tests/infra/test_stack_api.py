"""The REST API: routes, key requirements, usage plan and the contract's error envelopes."""

import json

import pytest
from aws_cdk.assertions import Match, Template

ROUTES = {
    ("POST", "/orders"): ("PlaceOrderFunction", True),
    ("GET", "/orders/{order_id}"): ("OrdersApiFunction", True),
    ("POST", "/orders/{order_id}/cancel"): ("CancelOrderFunction", True),
    ("POST", "/partners/{partner_id}/tracking"): ("TrackingFunction", False),
    ("GET", "/partners/{partner_id}/shipments"): ("TrackingFunction", False),
    ("GET", "/feedback/{token}"): ("FeedbackFunction", False),
    ("POST", "/feedback/{token}"): ("FeedbackFunction", False),
    ("POST", "/inventory/receipts"): ("AdminApiFunction", True),
    ("POST", "/inventory/adjustments"): ("AdminApiFunction", True),
    ("GET", "/inventory/{sku}"): ("AdminApiFunction", True),
    ("GET", "/inventory/{sku}/movements"): ("AdminApiFunction", True),
    ("PUT", "/products/{sku}"): ("AdminApiFunction", True),
    ("GET", "/products/{sku}"): ("AdminApiFunction", True),
    ("PUT", "/partners/{partner_id}"): ("AdminApiFunction", True),
    ("GET", "/partners/{partner_id}"): ("AdminApiFunction", True),
    ("GET", "/orders"): ("AdminApiFunction", True),
    ("GET", "/partners/{partner_id}/webhooks"): ("AdminApiFunction", True),
    ("GET", "/storefront/webhooks"): ("AdminApiFunction", True),
    ("POST", "/webhooks/dead-letters/redrive"): ("AdminApiFunction", True),
}


@pytest.fixture(scope="module")
def routes(resources):
    """(method, path) -> method resource, with paths rebuilt from the resource tree."""
    api_resources = resources("AWS::ApiGateway::Resource")

    def path_of(parent):
        if "Fn::GetAtt" in parent:
            return ""
        resource = api_resources[parent["Ref"]]["Properties"]
        return path_of(resource["ParentId"]) + "/" + resource["PathPart"]

    return {
        (method["Properties"]["HttpMethod"], path_of(method["Properties"]["ResourceId"])): method["Properties"]
        for method in resources("AWS::ApiGateway::Method").values()
    }


def test_the_api_has_exactly_the_routes_of_the_architecture_page(routes):
    assert set(routes) == set(ROUTES)


@pytest.mark.parametrize(("route", "expected"), ROUTES.items(), ids=[" ".join(route) for route in ROUTES])
def test_each_route_is_a_lambda_proxy_with_its_key_requirement(routes, as_text, route, expected):
    function, key_required = expected
    method = routes[route]

    assert method["ApiKeyRequired"] is key_required
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert f"${{{function}.Arn}}" in as_text(method["Integration"]["Uri"])


def test_stage_is_named_after_the_stage_traced_metered_and_throttled(template):
    Template.from_json(template).has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "dev",
            "TracingEnabled": True,
            "MethodSettings": [
                Match.object_like(
                    {
                        "HttpMethod": "*",
                        "ResourcePath": "/*",
                        "MetricsEnabled": True,
                        "ThrottlingRateLimit": 100,
                        "ThrottlingBurstLimit": 200,
                    }
                )
            ],
        },
    )


def test_usage_plan_throttles_and_holds_both_keys(resources):
    (plan,) = resources("AWS::ApiGateway::UsagePlan").values()
    keys = {key["Properties"]["KeyId"]["Ref"] for key in resources("AWS::ApiGateway::UsagePlanKey").values()}

    assert plan["Properties"]["Throttle"]["RateLimit"] >= 100
    assert plan["Properties"]["Throttle"]["BurstLimit"] >= 200
    assert plan["Properties"]["ApiStages"][0]["Stage"] == {"Ref": "ApiStage"}
    assert keys == {"StorefrontKey", "AdminKey"}
    assert set(resources("AWS::ApiGateway::ApiKey")) == {"StorefrontKey", "AdminKey"}


@pytest.mark.parametrize(
    ("response_type", "status", "code"),
    [
        ("MISSING_AUTHENTICATION_TOKEN", "404", "not_found"),
        ("INVALID_API_KEY", "403", "forbidden"),
        ("ACCESS_DENIED", "403", "forbidden"),
        ("UNAUTHORIZED", "403", "forbidden"),
        ("THROTTLED", "429", "throttled"),
        ("QUOTA_EXCEEDED", "429", "throttled"),
        ("BAD_REQUEST_BODY", "400", "validation_error"),
        ("DEFAULT_4XX", None, "bad_request"),
        ("DEFAULT_5XX", None, "internal_error"),
    ],
)
def test_gateway_errors_use_the_contract_envelope(resources, response_type, status, code):
    (response,) = [
        r["Properties"]
        for r in resources("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == response_type
    ]
    body = json.loads(response["ResponseTemplates"]["application/json"])

    assert response.get("StatusCode") == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["details"] == []


def test_outputs_name_the_api_url_and_key_ids(template, as_text):
    outputs = template["Outputs"]

    assert as_text(outputs["ApiUrl"]["Value"]) == "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev"
    assert outputs["StorefrontKeyId"]["Value"] == {"Ref": "StorefrontKey"}
    assert outputs["AdminKeyId"]["Value"] == {"Ref": "AdminKey"}
