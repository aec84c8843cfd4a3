"""The public REST API: routes by party, the key authorizer, API keys and usage plan, the stage's logs, prod's
WAF, and errors in the contract's envelope."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

from aws_cdk import Aws, CfnResource, Duration, Fn, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import Config, acknowledge, stable_id
from infra.constructs.envelope import error_envelope
from infra.constructs.functions import Functions
from infra.constructs.secrets import generated_secret
from infra.constructs.waf import WebAcl

RATE_LIMIT = 100
BURST_LIMIT = 200


class Party(StrEnum):
    """Who calls a route, which decides how the edge lets it through."""

    STOREFRONT = "storefront"  # storefront key; the authorizer lets the storefront and admin keys through
    ADMIN = "admin"  # admin key only; the authorizer refuses the storefront key before the function runs
    PARTNER = "partner"  # no key: each request is signed with the partner's HMAC secret over its raw body
    CUSTOMER = "customer"  # no key: a link from an email, with a signed token in the path


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    folder: str
    party: Party

    @property
    def key_required(self) -> bool:
        return self.party in (Party.STOREFRONT, Party.ADMIN)

    @property
    def pattern(self) -> str:
        """`<METHOD> /<path>` with `*` for each path parameter, as an execute-api ARN names the route."""
        return f"{self.method} " + re.sub(r"\{[^}]+\}", "*", self.path)


ROUTES: tuple[Route, ...] = (
    Route("POST", "/orders", "place_order", Party.STOREFRONT),
    Route("GET", "/orders/{order_id}", "orders_api", Party.STOREFRONT),
    Route("POST", "/orders/{order_id}/cancel", "cancel_order", Party.STOREFRONT),
    Route("POST", "/partners/{partner_id}/tracking", "tracking", Party.PARTNER),
    Route("GET", "/partners/{partner_id}/shipments", "tracking", Party.PARTNER),
    Route("GET", "/feedback/{token}", "feedback", Party.CUSTOMER),
    Route("POST", "/feedback/{token}", "feedback", Party.CUSTOMER),
    Route("POST", "/inventory/receipts", "admin_api", Party.ADMIN),
    Route("POST", "/inventory/adjustments", "admin_api", Party.ADMIN),
    Route("GET", "/inventory/{sku}", "admin_api", Party.ADMIN),
    Route("GET", "/inventory/{sku}/movements", "admin_api", Party.ADMIN),
    Route("PUT", "/products/{sku}", "admin_api", Party.ADMIN),
    Route("GET", "/products/{sku}", "admin_api", Party.ADMIN),
    Route("PUT", "/partners/{partner_id}", "admin_api", Party.ADMIN),
    Route("GET", "/partners/{partner_id}", "admin_api", Party.ADMIN),
    Route("GET", "/orders", "admin_api", Party.ADMIN),
    Route("GET", "/partners/{partner_id}/webhooks", "admin_api", Party.ADMIN),
    Route("GET", "/storefront/webhooks", "admin_api", Party.ADMIN),
    Route("POST", "/webhooks/dead-letters/redrive", "admin_api", Party.ADMIN),
)


def party_routes() -> dict[str, list[str]]:
    """What each key may call (the authorizer's PARTY_ROUTES): the storefront key its routes; the admin key the
    admin routes and the storefront's too, since operators read and cancel orders for customers."""
    storefront = [route.pattern for route in ROUTES if route.party == Party.STOREFRONT]
    admin = [route.pattern for route in ROUTES if route.party == Party.ADMIN]
    return {Party.STOREFRONT.value: storefront, Party.ADMIN.value: [*admin, *storefront]}


# API Gateway caches the authorizer's answer per x-api-key value this long. A key's party changes only when its
# value does (a new key, a new secret), which the authorizer sees within its own five-minute secret cache
# (oms.repository.secrets); a disabled or deleted key is refused at once all the same, by API Gateway's own key
# check after the authorizer. Five minutes saves an invocation on nearly every request of a busy storefront.
AUTHORIZER_CACHE = Duration.minutes(5)

# Why a route has no IAM or Cognito authorizer (cdk-nag APIG4, COG4), by party.
ROUTE_AUTH_REASONS = {
    Party.PARTNER: "Partners have no API key: each request carries an HMAC-SHA256 signature over its raw body "
    "(X-OMS-Signature), which only the function sees; an authorizer gets no body. The function verifies it, in "
    "constant time and within 300 s of the real clock, before any work (CONTRACT section 4).",
    Party.CUSTOMER: "Customers follow a link from an email: the token in the path is signed with the feedback "
    "key (Secrets Manager) and verified by the function before any read; there is no caller identity to "
    "authorize beyond that token.",
}
COGNITO_REASON = (
    "Callers are storefronts and operators' tools with API keys, not Cognito users: the route has a Lambda "
    "REQUEST authorizer (the key's party) and API Gateway's key check (usage plan), not a Cognito authorizer."
)


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
    # A key the authorizer let through that API Gateway does not accept (disabled, or out of the usage plan); a
    # missing key is UNAUTHORIZED and an unknown one ACCESS_DENIED, both answered before this check.
    GatewayError(apigateway.ResponseType.INVALID_API_KEY, "403", "forbidden",
                 "A valid API key is required."),
    GatewayError(apigateway.ResponseType.ACCESS_DENIED, "403", "forbidden", "Access denied."),
    # The authorizer's identity source (x-api-key) is missing: API Gateway answers 401 without invoking it; the
    # contract calls a missing key 403 forbidden.
    GatewayError(apigateway.ResponseType.UNAUTHORIZED, "403", "forbidden", "A valid API key is required."),
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


# One JSON line per request in the stage's access log group.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userAgent": "$context.identity.userAgent",
    "method": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "apiKeyId": "$context.identity.apiKeyId",
    "party": "$context.authorizer.party",
    "authorizerStatus": "$context.authorizer.status",
    "authorizerLatency": "$context.authorizer.latency",
    "authorizerError": "$context.authorizer.error",
    "errorType": "$context.error.responseType",
    "errorMessage": "$context.error.message",
    "wafStatus": "$context.waf.status",
    "wafError": "$context.waf.error",
    "xrayTraceId": "$context.xrayTraceId",
}


class Api(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config, functions: Functions) -> None:
        super().__init__(scope, construct_id)
        self.stage_name = config.stage
        self.access_logs = logs.LogGroup(
            self, "ApiAccessLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=config.removal_policy
        )
        stable_id(self.access_logs, "ApiAccessLogs")
        # Access and execution logs need the account's API Gateway CloudWatch role (one per account and region).
        # The stack sets it, and keeps the role when deleted, since other APIs of the account log through it;
        # `-c oms:api-cloudwatch-role=false` leaves an account whose role is already set alone.
        owns_role = str(self.node.try_get_context("oms:api-cloudwatch-role")).lower() != "false"
        self.rest_api = apigateway.RestApi(
            self,
            "Api",
            description="OMS public API",
            api_key_source_type=apigateway.ApiKeySourceType.HEADER,
            cloud_watch_role=owns_role,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN if owns_role else None,
            deploy_options=apigateway.StageOptions(
                stage_name=config.stage,
                tracing_enabled=True,
                metrics_enabled=True,
                throttling_rate_limit=RATE_LIMIT,
                throttling_burst_limit=BURST_LIMIT,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                # Errors only, never bodies: requests carry customers' names, emails and addresses.
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
            ),
        )
        stable_id(self.rest_api, "Api")
        stable_id(self.rest_api.deployment_stage, "ApiStage")
        if owns_role:
            stable_id(self.rest_api.node.find_child("CloudWatchRole"), "ApiCloudWatchRole")
            account = self.rest_api.node.find_child("Account")
            assert isinstance(account, CfnResource)
            account.override_logical_id("ApiGatewayAccount")
            acknowledge(
                self.rest_api,
                "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                "The account's API Gateway logging role: AWS's managed policy is the one API Gateway documents "
                "for it, and it lets API Gateway write the stage's access and execution logs.",
            )
        acknowledge(
            self.rest_api,
            "APIG2",
            "Requests are validated by the functions against the contract's "
            "pydantic models, which answer 400 validation_error with the failing fields (CONTRACT "
            "section 3); a gateway validator would answer without them.",
        )
        stage = self.rest_api.deployment_stage
        if config.is_prod:
            self.web_acl: WebAcl | None = WebAcl(self, "Waf", stage=stage)
        else:
            self.web_acl = None
            acknowledge(
                stage,
                "APIG3",
                f"The {config.stage} stage serves development and tests, whose traffic is "
                "the team's own: it is throttled by the stage and the usage plan, and the key-less routes verify "
                "an HMAC signature or a signed token before any work. The prod stage has the WAF web ACL.",
            )
        self.storefront_key, self.storefront_key_secret = self._key(config, Party.STOREFRONT, "orders")
        self.admin_key, self.admin_key_secret = self._key(config, Party.ADMIN, "inventory, catalogue, partners")
        self.authorizer = self._authorizer(functions)

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
                route.method,
                integrations[route.folder],
                api_key_required=route.key_required,
                authorizer=self.authorizer if route.key_required else None,
            )
            if route.key_required:
                acknowledge(method, "COG4", COGNITO_REASON)
            else:
                for rule in ("APIG4", "COG4"):
                    acknowledge(method, rule, ROUTE_AUTH_REASONS[route.party])
        for error in GATEWAY_ERRORS:
            self.rest_api.add_gateway_response(
                f"{error.response_type.response_type.title().replace('_', '')}Response",
                type=error.response_type,
                status_code=error.status,
                templates={"application/json": error_envelope(error.code, error.message)},
            )

        self.usage_plan = self.rest_api.add_usage_plan(
            "UsagePlan",
            throttle=apigateway.ThrottleSettings(rate_limit=RATE_LIMIT, burst_limit=BURST_LIMIT),
            api_stages=[apigateway.UsagePlanPerApiStage(api=self.rest_api, stage=self.rest_api.deployment_stage)],
        )
        stable_id(self.usage_plan, "UsagePlan")
        self.usage_plan.add_api_key(self.storefront_key)
        self.usage_plan.add_api_key(self.admin_key)

    def _key(self, config: Config, party: Party, calls: str) -> tuple[apigateway.ApiKey, secretsmanager.Secret]:
        """An API key whose value is generated into a secret: API Gateway and the authorizer read the same one."""
        name = party.value.capitalize()
        secret = generated_secret(
            self,
            f"{name}KeySecret",
            config=config,
            secret_name=f"oms/{config.stage}/api-keys/{party.value}",
            description=f"Value of the {party.value} API key.",
            length=40,
            not_rotated_because="The value is the API key's, set when the key is created: a rotated secret "
            "would no longer match the key. A key is changed by replacing both (a new secret value and a deploy).",
        )
        key = apigateway.ApiKey(
            self,
            f"{name}Key",
            description=f"{name} calls ({calls}).",
            enabled=True,
            value=secret.secret_value.unsafe_unwrap(),  # a CloudFormation dynamic reference, not the value
        )
        stable_id(key, f"{name}Key")
        return key, secret

    def _authorizer(self, functions: Functions) -> apigateway.RequestAuthorizer:
        """The REQUEST authorizer every keyed route has: the key's party, cached by the key's value."""
        function = functions["authorizer"]
        function.add_environment("STOREFRONT_KEY_SECRET_ID", self.storefront_key_secret.secret_arn)
        function.add_environment("ADMIN_KEY_SECRET_ID", self.admin_key_secret.secret_arn)
        function.add_environment("PARTY_ROUTES", json.dumps(party_routes(), separators=(",", ":")))
        # GetSecretValue only: CDK's grant_read adds DescribeSecret, which the authorizer never calls.
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"],
                resources=[self.storefront_key_secret.secret_arn, self.admin_key_secret.secret_arn],
            )
        )
        authorizer = apigateway.RequestAuthorizer(
            self,
            "KeyAuthorizer",
            handler=function,
            identity_sources=[apigateway.IdentitySource.header("x-api-key")],
            results_cache_ttl=AUTHORIZER_CACHE,
        )
        stable_id(authorizer, "KeyAuthorizer")
        return authorizer

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
