"""moto's Lambda: an asynchronous invocation that fails is retried as Lambda retries it, then sent to the
function's on-failure destination."""

from __future__ import annotations

import functools
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.sqs.models import sqs_backends

from local.moto_fixes.patching import patch

log = logging.getLogger("oms.local")

# Lambda runs a failed asynchronous invocation (Scheduler targets, EventBridge targets) twice more, unless
# the function's EventInvokeConfig says otherwise.
ASYNC_RETRIES = 2


def _invoke_config(function: LambdaFunction) -> dict[str, Any]:
    configs = getattr(function, "event_invoke_config", None) or []
    return dict(configs[0].config) if configs else {}


def _retries(function: LambdaFunction) -> int:
    return int(_invoke_config(function).get("MaximumRetryAttempts", ASYNC_RETRIES))


def retry_failed_async_invocations() -> None:
    """moto runs an `InvocationType=Event` invocation once and drops its error; Lambda retries a failed
    asynchronous invocation twice (after about one and two minutes; `MaximumRetryAttempts` of the function's
    EventInvokeConfig when it has one) before giving up, so a schedule's target that meets a throttled call on
    its first run still does its work; then it sends a record of the failure (the request, the error, the
    attempts) to the config's on-failure destination, which moto stores but never uses. The fix runs the
    retries at once (the local clock has nothing to wait for) and sends Lambda's record to an SQS on-failure
    destination (the only kind OMS uses), so a timer that fails every attempt lands in its dead-letter queue
    as on AWS. Remove when moto retries asynchronous invocations and honours destinations itself.
    """
    original = LambdaFunction.__dict__["invoke"]

    def invoke(function: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> Any:
        payload = original(function, body, request_headers, response_headers)
        if request_headers.get("x-amz-invocation-type") != "Event":
            return payload
        for attempt in range(_retries(function)):
            if "x-amz-function-error" not in response_headers:
                break
            log.warning("%s failed an asynchronous invocation; retry %d", function.function_name, attempt + 1)
            del response_headers["x-amz-function-error"]
            payload = original(function, body, request_headers, response_headers)
        if "x-amz-function-error" in response_headers:
            _send_on_failure(function, body, payload)
        return payload

    patch("retry_failed_async_invocations", LambdaFunction, "invoke", functools.wraps(original)(invoke))


def _send_on_failure(function: LambdaFunction, body: str, payload: Any) -> None:
    destination = str(_invoke_config(function).get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", ""))
    if ":sqs:" not in destination:
        return
    _, _, _, region, account, queue_name = destination.split(":", 5)
    record = {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function.function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 1 + _retries(function),
        },
        "requestPayload": _json(body),
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": _json(payload),
    }
    log.warning("%s failed every attempt; its record goes to %s", function.function_name, queue_name)
    sqs_backends[account][region].send_message(queue_name, json.dumps(record))


def _json(value: Any) -> Any:
    text = value.decode() if isinstance(value, bytes) else value
    try:
        return json.loads(text) if isinstance(text, str) and text else text
    except ValueError:
        return text
