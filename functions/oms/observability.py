"""The one Logger and Metrics every function uses (service name from POWERTOOLS_SERVICE_NAME).

No Tracer: Powertools' Tracer loads the AWS X-Ray SDK, in maintenance since 2026-02-25. Lambda's active
tracing records each invocation (initialisation, invocation, overhead) without it; spans inside a function,
such as its AWS calls, are not recorded until an OpenTelemetry layer is added (docs/decisions.md)."""

from __future__ import annotations

import re

from aws_lambda_powertools import Logger, Metrics

# Named here, not only in the environment (POWERTOOLS_SERVICE_NAME): the alarms (infra/constructs/monitoring.py)
# watch OMS/<name> with the dimension service=oms, whatever the environment held when this was first imported.
NAMESPACE = "OMS"
SERVICE = "oms"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


_EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")


def redact(text: str) -> str:
    """`text` with email addresses masked, for a log line quoting an error from another service."""
    return _EMAIL.sub("<address>", text)
