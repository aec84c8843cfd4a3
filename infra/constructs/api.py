"""The public REST API: routes, API keys and usage plan, and errors in the contract's envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aws_cdk import Aws, Fn
from aws_cdk import aws_apigateway as apigateway
from constructs import Construct

from infra.config import Config, acknowledge, stable_id
from infra.constructs.functions import Functions

RATE_LIMIT = 100
BURST_LIMIT = 200


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    folder: str
    key_required: bool


# Partners sign their requests and customers follow emailed links: neither has an API key.
ROUTES: tuple[Route, ...] = (
    Route("POST", "/orders", "place_order", key_required=True),
    Route("GET", "/orders/{order_id}", "orders_api", key_required=True),
    Route("POST", "/orders/{order_id}/cancel", "cancel_order", key_required=True),
    Route("POST", "/partners/{partner_id}/tracking", "tracking", key_required=False),
    Route("GET", "/partners/{partner_id}/shipments", "tracking", key_required=False),
    Route("GET", "/feedback/{token}", "feedback", key_required=False),
    Route("POST", "/feedback/{token}", "feedback", key_required=False),
    # Admin routes: any key passes API Gateway; the function refuses all but the admin key.
    Route("POST", "/inventory/receipts", "admin_api", key_required=True),
    Route("POST", "/inventory/adjustments", "admin_api", key_required=True),
    Route("GET", "/inventory/{sku}", "admin_api", key_required=True),
    Route("GET", "/inventory/{sku}/movements", "admin_api", key_required=True),
    Route("PUT", "/products/{sku}", "admin_api", key_required=True),
    Route("GET", "/products/{sku}", "admin_api", key_required=True),
    Route("PUT", "/partners/{partner_id}", "admin_api", key_required=True),
    Route("GET", "/partners/{partner_id}", "admin_api", key_required=True),
    Route("GET", "/orders", "admin_api", key_required=True),
    Route("GET", "/partners/{partner_id}/webhooks", "admin_api", key_required=True),
    Route("GET", "/storefront/webhooks", "admin_api", key_required=True),
    Route("POST", "/webhooks/dead-letters/redrive", "admin_api", key_required=True),
)


# Why a route has no IAM or Cognito authorizer (cdk-nag APIG4, COG4), by whether it requires an API key.
ROUTE_AUTH_REASONS = {
    True: "The contract's auth is an API key (x-api-key) in the usage plan; the admin routes' function also "
    "refuses every key but the admin key (requestContext.identity.apiKeyId). An authorizer is not decided yet.",
    False: "Called by partners, who sign each request with their HMAC secret, or by customers through an "
    "emailed link with a signed token: the function verifies either before any work.",
}


@dataclass(frozen=True)
class GatewayError:
    response_type: apigateway.ResponseType
    status: str | None  # None keeps API Gateway's own status (the DEFAULT_* families)
    code: str
    message: str


# What API Gateway answers by itself, in CONTRACT section 3's envelope.
GATEWAY_ERRORS: tuple[GatewayError, ...] = (
    # API Gateway answers an unknown route (or method) with this type, as 403 by default.
    GatewayError(apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, "404", "not_found",
                 "No such route."),
    GatewayError(apigateway.ResponseType.RESOURCE_NOT_FOUND, "404", "not_found", "No such route."),
    # Covers both a missing and an unknown x-api-key on a key-required method.
    GatewayError(apigateway.ResponseType.INVALID_API_KEY, "403", "forbidden",
                 "A valid API key is required."),
    GatewayError(apigateway.ResponseType.ACCESS_DENIED, "403", "forbidden", "Access denied."),
    GatewayError(apigateway.ResponseType.THROTTLED, "429", "throttled", "Too many requests; retry later."),
    GatewayError(apigateway.ResponseType.QUOTA_EXCEEDED, "429", "throttled", "Too many requests; retry later."),
    GatewayError(apigateway.ResponseType.BAD_REQUEST_BODY, "400", "validation_error",
                 "The request body is not valid."),
    GatewayError(apigateway.ResponseType.BAD_REQUEST_PARAMETERS, "400", "validation_error",
                 "The request parameters are not valid."),
    GatewayError(apigateway.ResponseType.REQUEST_TOO_LARGE, "413", "payload_too_large",
                 "The request body is too large."),
    GatewayError(apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, "415", "unsupported_media_type",
                 "The request's content type is not supported."),
    GatewayError(apigateway.ResponseType.DEFAULT_4_XX, None, "bad_request", "The request was not accepted."),
    GatewayError(apigateway.ResponseType.INTEGRATION_TIMEOUT, "504", "timeout",
                 "The request took too long; retry later."),
    GatewayError(apigateway.ResponseType.DEFAULT_5_XX, None, "internal_error",
                 "Something went wrong on our side; retry later."),
)  # fmt: skip


def error_envelope(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "details": []}})


class Api(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, functions: Functions) -> None:
        super().__init__(scope, construct_id)
        self.stage_name = config.stage
        self.rest_api = apigateway.RestApi(
            self,
            "Api",
            description="OMS public API",
            api_key_source_type=apigateway.ApiKeySourceType.HEADER,
            # Execution logging needs an account-wide CloudWatch role; the stack stays out of
            # account settings, so the stage has metrics and tracing only.
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=config.stage,
                tracing_enabled=True,
                metrics_enabled=True,
                throttling_rate_limit=RATE_LIMIT,
                throttling_burst_limit=BURST_LIMIT,
            ),
        )
        stable_id(self.rest_api, "Api")
        stable_id(self.rest_api.deployment_stage, "ApiStage")
        acknowledge(
            self.rest_api,
            "APIG2",
            "Requests are validated by the functions against the contract's "
            "pydantic models, which answer 400 validation_error with the failing fields (CONTRACT "
            "section 3); a gateway validator would answer without them.",
        )
        stage = self.rest_api.deployment_stage
        acknowledge(
            stage,
            "APIG6",
            "Execution logging needs the account-wide API Gateway CloudWatch role, an "
            "account setting this stack leaves alone (cloud_watch_role=False); the functions log each "
            "request with its correlation id and the stage is traced.",
        )
        acknowledge(
            stage,
            "APIG1",
            "No access log yet: each request is in X-Ray (tracing_enabled) and in its "
            "function's structured log under the request id; an access log group is still to add.",
        )
        acknowledge(
            stage,
            "APIG3",
            "No WAF web ACL: requests are throttled by the stage and the usage plan, "
            "and the key-less routes verify an HMAC signature or a signed token before any work.",
        )
        integrations: dict[str, apigateway.LambdaIntegration] = {}
        for route in ROUTES:
            if route.folder not in integrations:
                integrations[route.folder] = apigateway.LambdaIntegration(
                    # No console test-invoke permissions: they would double the Lambda permissions.
                    functions[route.folder],
                    proxy=True,
                    allow_test_invoke=False,
                )
            method = self.rest_api.root.resource_for_path(route.path).add_method(
                route.method, integrations[route.folder], api_key_required=route.key_required
            )
            for rule in ("APIG4", "COG4"):
                acknowledge(method, rule, ROUTE_AUTH_REASONS[route.key_required])
        for error in GATEWAY_ERRORS:
            self.rest_api.add_gateway_response(
                f"{error.response_type.response_type.title().replace('_', '')}Response",
                type=error.response_type,
                status_code=error.status,
                templates={"application/json": error_envelope(error.code, error.message)},
            )

        self.storefront_key = apigateway.ApiKey(
            self, "StorefrontKey", description="Storefront calls (orders).", enabled=True
        )
        stable_id(self.storefront_key, "StorefrontKey")
        self.admin_key = apigateway.ApiKey(
            self, "AdminKey", description="Admin calls (inventory, catalogue, partners).", enabled=True
        )
        stable_id(self.admin_key, "AdminKey")
        self.usage_plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            throttle=apigateway.ThrottleSettings(rate_limit=RATE_LIMIT, burst_limit=BURST_LIMIT),
            api_stages=[apigateway.UsagePlanPerApiStage(api=self.rest_api, stage=self.rest_api.deployment_stage)],
        )
        stable_id(self.usage_plan, "UsagePlan")
        self.usage_plan.add_api_key(self.storefront_key)
        self.usage_plan.add_api_key(self.admin_key)

    @property
    def base_url(self) -> str:
        """The stage URL without a trailing slash, as the feedback links need it."""
        return Fn.join(
            "",
            [
                "https://", self.rest_api.rest_api_id, ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX,
                "/", self.stage_name,
            ],
        )  # fmt: skip
