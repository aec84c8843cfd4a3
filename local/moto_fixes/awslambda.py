"""moto's Lambda: an asynchronous invocation that fails is retried, as Lambda retries it."""

from __future__ import annotations

import functools
import logging
from typing import Any

from moto.awslambda.models import LambdaFunction

from local.moto_fixes.patching import patch

log = logging.getLogger("oms.local")

# Lambda runs a failed asynchronous invocation (Scheduler targets, EventBridge targets) twice more.
ASYNC_RETRIES = 2


def retry_failed_async_invocations() -> None:
    """moto runs an `InvocationType=Event` invocation once and drops its error; Lambda retries a failed
    asynchronous invocation twice (after about one and two minutes) before giving up, so a schedule's
    target that meets a throttled call on its first run still does its work. The fix runs the two
    retries at once (the local clock has nothing to wait for). Remove when moto retries asynchronous
    invocations itself.
    """
    original = LambdaFunction.__dict__["invoke"]

    def invoke(function: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> Any:
        payload = original(function, body, request_headers, response_headers)
        if request_headers.get("x-amz-invocation-type") != "Event":
            return payload
        for attempt in range(ASYNC_RETRIES):
            if "x-amz-function-error" not in response_headers:
                break
            log.warning("%s failed an asynchronous invocation; retry %d", function.function_name, attempt + 1)
            del response_headers["x-amz-function-error"]
            payload = original(function, body, request_headers, response_headers)
        return payload

    patch("retry_failed_async_invocations", LambdaFunction, "invoke", functools.wraps(original)(invoke))
