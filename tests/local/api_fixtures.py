"""A hand-written REST API template shaped like the CDK's output, for the API emulator's tests."""

from __future__ import annotations

import json

STOREFRONT, ADMIN = "local-storefront-key", "local-admin-key"
KEYS = {STOREFRONT: "storefront", ADMIN: "admin"}
ROOT = {"Fn::GetAtt": ["OmsApi1A2B3C4D", "RootResourceId"]}
API = {"Ref": "OmsApi1A2B3C4D"}


def _resource(parent: dict, part: str) -> dict:
    properties = {"ParentId": parent, "PathPart": part, "RestApiId": API}
    return {"Type": "AWS::ApiGateway::Resource", "Properties": properties}


def _method(resource: dict, verb: str, function: str, key: bool) -> dict:
    uri = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                {"Fn::GetAtt": [function, "Arn"]},
                "/invocations",
            ],
        ]
    }
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "HttpMethod": verb,
            "ResourceId": resource,
            "RestApiId": API,
            "ApiKeyRequired": key,
            "AuthorizationType": "NONE",
            "Integration": {"IntegrationHttpMethod": "POST", "Type": "AWS_PROXY", "Uri": uri},
        },
    }


def _envelope(kind: str, status: str, code: str, message: str) -> dict:
    body = json.dumps({"error": {"code": code, "message": message, "details": []}})
    return {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": API,
            "ResponseType": kind,
            "StatusCode": status,
            "ResponseTemplates": {"application/json": body},
            "ResponseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        },
    }


FUNCTIONS = ("PlaceOrderFunctionAB12CD34", "OrdersApiFunction99", "SummaryFunction00", "FeedbackFunction42")

TEMPLATE = {
    "Resources": {
        **{name: {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "h.handler"}} for name in FUNCTIONS},
        "OmsApi1A2B3C4D": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "oms"}},
        "OmsApiorders5D0E": _resource(ROOT, "orders"),
        "OmsApiordersorderid9F1A": _resource({"Ref": "OmsApiorders5D0E"}, "{order_id}"),
        "OmsApicancel77B2": _resource({"Ref": "OmsApiordersorderid9F1A"}, "cancel"),
        "OmsApiorderssummaryC0DE": _resource({"Ref": "OmsApiorders5D0E"}, "summary"),
        "OmsApifeedback11AA": _resource(ROOT, "feedback"),
        "OmsApifeedbacktoken22BB": _resource({"Ref": "OmsApifeedback11AA"}, "{token}"),
        "OmsApiordersPOST": _method({"Ref": "OmsApiorders5D0E"}, "POST", "PlaceOrderFunctionAB12CD34", True),
        "OmsApiordersorderidGET": _method({"Ref": "OmsApiordersorderid9F1A"}, "GET", "OrdersApiFunction99", True),
        "OmsApicancelPOST": _method({"Ref": "OmsApicancel77B2"}, "POST", "OrdersApiFunction99", True),
        "OmsApisummaryGET": _method({"Ref": "OmsApiorderssummaryC0DE"}, "GET", "SummaryFunction00", True),
        "OmsApifeedbackGET": _method({"Ref": "OmsApifeedbacktoken22BB"}, "GET", "FeedbackFunction42", False),
        "OmsApiDeploymentB1": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": API}},
        "OmsApiDeploymentStagedev": {
            "Type": "AWS::ApiGateway::Stage",
            "Properties": {"RestApiId": API, "StageName": "dev", "DeploymentId": {"Ref": "OmsApiDeploymentB1"}},
        },
        "StorefrontKeyE1F2A3B4": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {"Enabled": True}},
        "AdminKey5C6D7E8F": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {"Enabled": True}},
        "UsagePlan0A0B": {
            "Type": "AWS::ApiGateway::UsagePlan",
            "Properties": {
                "ApiStages": [{"ApiId": API, "Stage": {"Ref": "OmsApiDeploymentStagedev"}}],
                "Throttle": {"BurstLimit": 200, "RateLimit": 100},
            },
        },
        "UsagePlanStorefront": {
            "Type": "AWS::ApiGateway::UsagePlanKey",
            "Properties": {
                "KeyId": {"Ref": "StorefrontKeyE1F2A3B4"},
                "KeyType": "API_KEY",
                "UsagePlanId": {"Ref": "UsagePlan0A0B"},
            },
        },
        "UsagePlanAdmin": {
            "Type": "AWS::ApiGateway::UsagePlanKey",
            "Properties": {
                "KeyId": {"Ref": "AdminKey5C6D7E8F"},
                "KeyType": "API_KEY",
                "UsagePlanId": {"Ref": "UsagePlan0A0B"},
            },
        },
        "NotFound": _envelope("MISSING_AUTHENTICATION_TOKEN", "404", "not_found", "No such route."),
        "Forbidden": _envelope("INVALID_API_KEY", "403", "forbidden", "A valid API key is required."),
        "Throttled": _envelope("THROTTLED", "429", "throttled", "Too many requests; slow down."),
        "ServerError": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": API,
                "ResponseType": "DEFAULT_5XX",
                "ResponseTemplates": {
                    "application/json": '{"error": {"code": "internal_error", '
                    '"message": $context.error.messageString, "details": [], '
                    '"request_id": "$context.requestId"}}'
                },
            },
        },
    }
}
