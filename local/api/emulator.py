"""API Gateway REST emulation: the template's routes, Lambda authorizers, keys, usage plan and gateway responses
over Lambdas.

A request meets API Gateway's checks in its order: the route, the method's Lambda REQUEST authorizer (its answer
cached by the identity-source headers for the authorizer's TTL), then the API key and the usage plan's throttle,
then the stage's throttle, then the integration with the authorizer's context in `requestContext.authorizer`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from local.api.authorizer_answer import allows, context_values, readable
from local.api.routes import Authorizer, Route, read_api
from local.aws.template import Template

Invoke = Callable[[str, dict], dict]
HttpResponse = tuple[int, dict[str, str], bytes]

ACCOUNT_ID = "123456789012"
# Status and message API Gateway uses when the template does not customise a response type; a missing
# and an unknown key are both INVALID_API_KEY, as on AWS.
_BUILT_IN = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "INVALID_API_KEY": (403, "Forbidden"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "AUTHORIZER_FAILURE": (500, "Internal server error"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal server error"),
    "THROTTLED": (429, "Too Many Requests"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error"),
    "DEFAULT_5XX": (502, "Internal server error"),
}
# API Gateway refuses a REST request body over 10 MB itself; Lambda refuses a synchronous invocation
# whose event is over 6 MB, which API Gateway answers as a request too large.
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
LAMBDA_MAX_EVENT = 6 * 1024 * 1024
_DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_PROXY_FIELDS = {"statusCode", "statusDescription", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
_CONTEXT_REF = re.compile(r"\$(!?)(\{)?context((?:\.[A-Za-z0-9_]+)+)(?(2)\})")


class ApiEmulator:
    """Answers HTTP requests as the template's REST API stage would, running integrations through `invoke`."""

    def __init__(
        self,
        template: Template | dict[str, Any],
        api_keys: dict[str, str],
        invoke: Invoke,
        *,
        api_id: str | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        rest_api = read_api(template if isinstance(template, Template) else Template(template), api_keys)
        self.api_id = api_id or hashlib.sha256(rest_api.logical_id.encode()).hexdigest()[:10]
        stage = rest_api.stage
        self.stage: str = stage.get("StageName", "dev")
        self._stage_variables = stage.get("Variables") or None
        # Specific method settings override the stage-wide `/*` `*` one, so they are looked at first.
        self._method_settings = sorted(stage.get("MethodSettings") or [], key=lambda m: m.get("ResourcePath") == "/*")
        self._routes, self._responses, self._keys = rest_api.routes, rest_api.responses, rest_api.keys
        self._invoke, self._wall_clock, self._monotonic = invoke, wall_clock, monotonic
        self._buckets: dict[str, tuple[float, float]] = {}
        # (authorizer, identity values) -> (expiry on the monotonic clock, the authorizer's answer)
        self._authorized: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[tuple[str, str, bool]]:
        return sorted((r.method, r.path, r.key_required) for by in self._routes.values() for r in by.values())

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        *,
        source_ip: str = "127.0.0.1",
    ) -> HttpResponse:
        method, path = method.upper(), "/" + unquote(path).strip("/")
        context = self._context(method, path, headers, source_ip)
        if len(body) > API_GATEWAY_MAX_BODY:
            return self._gateway_response("REQUEST_TOO_LARGE", context, headers)
        found = self._match(path)
        by_method = self._routes[found[0]] if found else {}
        route = by_method.get(method) or by_method.get("ANY")
        if found is None or route is None:
            return self._gateway_response("MISSING_AUTHENTICATION_TOKEN", context, headers)
        context.update(resourcePath=route.path, resourceId=hashlib.sha256(route.path.encode()).hexdigest()[:6])
        if route.authorizer is not None:
            refused = self._authorize(route.authorizer, route, path, found[1], query, headers, context)
            if refused is not None:
                return self._gateway_response(refused, context, headers)
        if route.key_required:
            value = next((v for k, v in headers.items() if k.lower() == "x-api-key"), None)
            if value not in self._keys:
                return self._gateway_response("INVALID_API_KEY", context, headers)
            key_id, limits = self._keys[value]
            context["identity"].update(apiKey=value, apiKeyId=key_id)
            if limits and not self._take(key_id, *limits):
                return self._gateway_response("THROTTLED", context, headers)
        if (limits := self._stage_limits(route)) and not self._take(f"{route.method} {route.path}", *limits):
            return self._gateway_response("THROTTLED", context, headers)
        if route.function is None:
            return self._gateway_response("API_CONFIGURATION_ERROR", context, headers)
        event = self._event(route, path, found[1], query, headers, body, context)
        if len(json.dumps(event)) > LAMBDA_MAX_EVENT:
            return self._gateway_response("REQUEST_TOO_LARGE", context, headers)
        try:
            answer = self._proxy_response(self._invoke(route.function, event), context)
        except Exception:  # any Lambda failure is API Gateway's 502, never the server's crash
            answer = None
        return answer or self._gateway_response("DEFAULT_5XX", context, headers)

    def _authorize(
        self,
        authorizer: Authorizer,
        route: Route,
        path: str,
        params: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, str],
        context: dict[str, Any],
    ) -> str | None:
        """Run (or recall) the authorizer's answer and apply its policy: the gateway response type that refuses
        the request, or None with `context["authorizer"]` filled as the integration will see it."""
        header = {k.lower(): v for k, v in headers.items()}
        identity = tuple(header.get(name.lower(), "") for name in authorizer.headers)
        if authorizer.ttl and not all(identity):
            return "UNAUTHORIZED"  # API Gateway refuses without invoking the authorizer
        method_arn = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{self.api_id}/{self.stage}/{route.method}{path}"
        cache_key = (authorizer.logical_id, identity)
        started = self._monotonic()
        with self._lock:
            cached = self._authorized.get(cache_key) if authorizer.ttl else None
        if cached is not None and cached[0] > started:
            answer, latency = cached[1], 0
        else:
            event = self._event(route, path, params, query, headers, b"", context)
            event.pop("body"), event.pop("isBase64Encoded")
            try:
                answer = self._invoke(authorizer.function or "", {"type": "REQUEST", "methodArn": method_arn, **event})
            except Exception as error:  # a failed authorizer is API Gateway's 500 (its 401 when it says so)
                payload = getattr(error, "payload", None) or {}
                return "UNAUTHORIZED" if payload.get("errorMessage") == "Unauthorized" else "AUTHORIZER_FAILURE"
            if not readable(answer):
                return "AUTHORIZER_CONFIGURATION_ERROR"
            latency = int((self._monotonic() - started) * 1000)
            if authorizer.ttl:
                with self._lock:
                    self._authorized[cache_key] = (started + authorizer.ttl, answer)
        if not allows(answer["policyDocument"], method_arn):
            return "ACCESS_DENIED"
        context["authorizer"] = {
            **context_values(answer),
            "principalId": answer["principalId"],
            "integrationLatency": latency,
        }
        return None

    def _match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The resource path serving `path`: literal segments beat `{param}`, which beats `{proxy+}`."""
        segments = path.strip("/").split("/") if path.strip("/") else []
        candidates = []
        for template in self._routes:
            parts = template.strip("/").split("/") if template.strip("/") else []
            if (ranked := _rank(parts, segments)) is not None:
                candidates.append((ranked[0], template, ranked[1]))
        if not candidates:
            return None
        _, template, params = min(candidates, key=lambda c: c[0])
        return template, params

    def _stage_limits(self, route: Route) -> tuple[float, float] | None:
        """The stage's throttle for this method (each method its own bucket, shared by every client)."""
        for setting in self._method_settings:
            path = setting.get("ResourcePath", "/*")
            path = path[1:].replace("~1", "/") if path.startswith("/~1") else path  # `/~1orders` is `/orders`
            applies = path in ("/*", route.path) and setting.get("HttpMethod", "*") in ("*", route.method)
            if applies and "ThrottlingRateLimit" in setting:
                return float(setting["ThrottlingRateLimit"]), float(setting.get("ThrottlingBurstLimit", 0))
        return None

    def _take(self, bucket: str, rate: float, burst: float) -> bool:
        """One token from the bucket, refilled at `rate` per second up to `burst`, as API Gateway meters."""
        with self._lock:
            now = self._monotonic()
            tokens, last = self._buckets.get(bucket, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            allowed = tokens >= 1
            self._buckets[bucket] = (tokens - 1 if allowed else tokens, now)
            return allowed

    def _context(self, method: str, path: str, headers: dict[str, str], source_ip: str) -> dict[str, Any]:
        now = self._wall_clock()
        header = {k.lower(): v for k, v in headers.items()}
        return {
            "resourceId": None,
            "resourcePath": None,
            "httpMethod": method,
            "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:10]).decode(),
            "requestTime": now.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{self.stage}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": self.stage,
            "domainPrefix": self.api_id,
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": str(uuid.uuid4()),
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": header.get("user-agent"),
                "user": None,
                "apiKey": None,
                "apiKeyId": None,
            },
            "domainName": header.get("host", f"{self.api_id}.execute-api.us-east-1.amazonaws.com"),
            "apiId": self.api_id,
        }

    def _event(
        self,
        route: Route,
        path: str,
        params: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        context: dict[str, Any],
    ) -> dict:
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode("ascii"), True
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": context["httpMethod"],
            "headers": dict(headers) or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            # API Gateway REST keeps the last value of a repeated query parameter in the single-value map.
            "queryStringParameters": {k: v[-1] for k, v in query.items() if v} or None,
            "multiValueQueryStringParameters": {k: list(v) for k, v in query.items() if v} or None,
            "pathParameters": params or None,
            "stageVariables": self._stage_variables,
            "requestContext": {**context, "identity": dict(context["identity"])},
            "body": text or None,
            "isBase64Encoded": encoded,
        }

    def _proxy_response(self, proxy: Any, context: dict[str, Any]) -> HttpResponse | None:
        """The HTTP answer of a Lambda proxy response; None where API Gateway would call it malformed."""
        if not isinstance(proxy, dict) or set(proxy) - _PROXY_FIELDS:
            return None
        body, single, multi = proxy.get("body"), proxy.get("headers") or {}, proxy.get("multiValueHeaders")
        if not (isinstance(body, str | None) and isinstance(single, dict) and isinstance(multi or {}, dict)):
            return None
        try:
            status = int(proxy.get("statusCode", 200))
            encoded = bool(proxy.get("isBase64Encoded"))
            raw = base64.b64decode(body or "", validate=True) if encoded else (body or "").encode()
        except (TypeError, ValueError, binascii.Error):
            return None
        merged: dict[str, list[str]] = {}
        for name, values in [*((k, [v]) for k, v in single.items()), *(multi or {}).items()]:
            for value in values if isinstance(values, list) else [values]:
                if not isinstance(value, str | bool):  # API Gateway rejects numbers and objects here
                    return None
                spelling = next((k for k in merged if k.lower() == name.lower()), name)
                text = json.dumps(value) if isinstance(value, bool) else value
                merged.setdefault(spelling, []).append(text)
        headers = {name: ", ".join(dict.fromkeys(values)) for name, values in merged.items()}
        return status, self._standard_headers(headers, context), raw

    def _standard_headers(self, headers: dict[str, str], context: dict[str, Any]) -> dict[str, str]:
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"  # API Gateway's default for a proxy answer
        headers.setdefault("x-amzn-RequestId", context["requestId"])
        headers.setdefault("x-amz-apigw-id", context["extendedRequestId"])
        return headers

    def _gateway_response(self, kind: str, context: dict[str, Any], headers: dict[str, str]) -> HttpResponse:
        """The template's response of that type, else its DEFAULT_4XX/5XX, else API Gateway's own."""
        status, message = _BUILT_IN[kind]
        own = self._responses.get(kind, {})
        fallback = self._responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX", {})
        chosen = own or fallback
        status = int(own.get("StatusCode") or fallback.get("StatusCode") or status)
        templates = chosen.get("ResponseTemplates") or {"application/json": _DEFAULT_TEMPLATE}
        content_type = "application/json" if "application/json" in templates else next(iter(templates))
        error = {"message": message, "messageString": json.dumps(message), "responseType": kind}
        context = {**context, "error": error}
        request_header = {k.lower(): v for k, v in headers.items()}
        out = {"Content-Type": content_type}
        for target, source in (chosen.get("ResponseParameters") or {}).items():
            name = target.removeprefix("gatewayresponse.header.")
            if source.startswith("'"):
                out[name] = source.strip("'")
            elif source.lower().removeprefix("method.request.header.") in request_header:
                out[name] = request_header[source.lower().removeprefix("method.request.header.")]
        body = _render(templates[content_type], context)
        return status, self._standard_headers(out, context), body.encode()


def _rank(parts: list[str], segments: list[str]) -> tuple[list[int], dict[str, str]] | None:
    """How specifically a resource path matches (per segment 0 literal, 1 param, 2 greedy), and its params."""
    rank: list[int] = []
    params: dict[str, str] = {}
    for i, part in enumerate(parts):
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("+}"):
            params[part[1:-2]] = "/".join(segments[i:])
            return [*rank, 2], params
        if part.startswith("{"):
            params[part[1:-1]] = segments[i]
        elif part != segments[i]:
            return None
        rank.append(1 if part.startswith("{") else 0)
    return (rank, params) if len(parts) == len(segments) else None


def _render(template: str, context: dict[str, Any]) -> str:
    """Substitute `$context...` references as VTL does: unknown ones stay literal, quiet `$!` ones vanish."""

    def value(match: re.Match) -> str:
        node: Any = context
        for part in match.group(3).strip(".").split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return "" if match.group(1) else match.group(0)
        return node if isinstance(node, str) else json.dumps(node)

    return _CONTEXT_REF.sub(value, template)
