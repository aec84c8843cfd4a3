"""The emulated AWS services at the local server's address: SigV4-signed requests answered by moto.

A request signed for AWS (what the AWS CLI and boto3 send with `--endpoint-url`) names its service
and region in its credential scope. It is handed to moto exactly as boto3 calls inside the stack are:
readdressed to the service's AWS hostname and given to moto's request router, over the same
in-process backends, so it reads and changes what the handlers see.
"""

from __future__ import annotations

import re

from botocore.awsrequest import AWSPreparedRequest, HTTPHeaders
from moto.core.models import botocore_stubber

HttpResponse = tuple[int, dict[str, str], bytes]

_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
# Signing name -> endpoint hostname prefix, where the two differ.
_HOST_PREFIX = {"ses": "email"}
_GLOBAL = {"iam", "sts"}


def is_signed(headers: dict[str, str]) -> bool:
    """Whether the request carries an AWS SigV4 signature (API clients never do: they send x-api-key)."""
    return _authorization(headers).startswith("AWS4-HMAC-SHA256")


def answer(method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> HttpResponse:
    """moto's answer to a signed AWS request, as the service's endpoint would give it."""
    scope = _SCOPE.search(_authorization(headers))
    if scope is None:
        return _error(400, "IncompleteSignature", "The request's credential scope names no region and service.")
    region, service = scope.groups()
    prefix = _HOST_PREFIX.get(service, service)
    host = f"{prefix}.amazonaws.com" if service in _GLOBAL else f"{prefix}.{region}.amazonaws.com"
    sent = HTTPHeaders()
    for name, value in headers.items():
        sent[name] = host if name.lower() == "host" else value
    url = f"https://{host}{path}" + (f"?{query}" if query else "")
    request = AWSPreparedRequest(method=method, url=url, headers=sent, body=body, stream_output=False)
    result = botocore_stubber.process_request(request)
    if result is None:
        return _error(400, "UnknownService", f"The local stack does not emulate {service}.")
    status, out, payload = result
    raw = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
    return int(status), {str(k): str(v) for k, v in out.items() if k.lower() != "status"}, raw


def _authorization(headers: dict[str, str]) -> str:
    return next((value for name, value in headers.items() if name.lower() == "authorization"), "")


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = f'{{"__type": "{code}", "message": "{message}"}}'.encode()
    return status, {"Content-Type": "application/x-amz-json-1.0"}, body
