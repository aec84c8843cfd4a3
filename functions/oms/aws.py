"""The AWS clients every function shares, made once per process (once per cold start on Lambda), and the
one rule of which AWS failures are worth trying again: those come out of every call as TransientError."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from oms.errors import TransientError

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_shared: Any = None
# What else a process keeps per environment and forgets with its clients (a cache of the catalogue).
_on_reset: list[Callable[[], None]] = []
# Attempts botocore makes of a throttled call (standard retry mode) before the caller sees the error.
SDK_MAX_ATTEMPTS = 4
_CONFIG = Config(retries={"mode": "standard", "max_attempts": SDK_MAX_ATTEMPTS}, connect_timeout=3, read_timeout=10)

# Error codes that say "not now" rather than "not this", whatever the service: throttling and brief
# unavailability as botocore's standard retry mode counts them, DynamoDB's conflicting transactions, and
# the service faults some services name in a 4xx answer.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "EC2ThrottledException",
        "PriorRequestNotComplete",
        "RequestTimeout",
        "RequestTimeoutException",
        "TransactionConflictException",
        "TransactionInProgressException",
        "InternalFailure",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def transient(error: BaseException) -> bool:
    """Whether a failed AWS call may pass when made again as it is: throttled, a 5xx, or the connection
    failed or timed out (botocore's ConnectionError covers EndpointConnectionError and ConnectTimeoutError,
    HTTPClientError covers ReadTimeoutError and a connection closed mid-answer)."""
    if isinstance(error, BotocoreConnectionError | HTTPClientError):
        return True
    if isinstance(error, ClientError):
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return error_code(error) in TRANSIENT_CODES or status >= 500
    return False


class _TransientFailures:
    """Mixed into every client class: a call that failed for good after botocore's own retries, in a way
    that may pass later, leaves the client as TransientError (a step's Retry, an API's 503)."""

    def _make_api_call(self, operation_name: str, api_params: dict[str, Any]) -> Any:
        try:
            return super()._make_api_call(operation_name, api_params)  # type: ignore[misc]
        except Exception as error:
            if not transient(error):
                raise
            service = self.meta.service_model.service_name  # type: ignore[attr-defined]
            detail = error_code(error) if isinstance(error, ClientError) else type(error).__name__
            raise TransientError(f"{service} {operation_name}: {detail}") from error


def _with_transient_failures(base_classes: list[type], **_: Any) -> None:
    base_classes.insert(0, _TransientFailures)


def _session() -> botocore.session.Session:
    """The one botocore session clients are made from (a new session loads every service model again).
    botocore's, not boto3's: a boto3 client is this same client, and importing boto3 pulls in s3transfer,
    which OMS never uses (about 75 ms of every cold start)."""
    global _shared
    if _shared is None:
        _shared = botocore.session.get_session()
        # botocore's documented hook for adding a base class to the clients a session makes.
        _shared.register("creating-client-class", _with_transient_failures)
    return _shared


def client(service: str) -> Any:
    """A client for `service`; sessions are not thread-safe, so one lock guards creation."""
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            _clients[service] = _session().create_client(service, region_name=region, config=_CONFIG)
        return _clients[service]


def reset(session: bool = False) -> None:
    """Forget every client, so the next call binds to the current endpoint (the local stack's moto); with
    `session`, the session too, as a fresh Lambda environment starts without one."""
    global _shared
    with _lock:
        _clients.clear()
        if session:
            _shared = None
    for forget in _on_reset:
        forget()


def on_reset(forget: Callable[[], None]) -> None:
    """Have `reset` call `forget` too: what was read through the old clients belongs to their environment."""
    _on_reset.append(forget)
