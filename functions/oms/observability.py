"""The one Logger, Tracer and Metrics every function uses (service name from POWERTOOLS_SERVICE_NAME)."""

from __future__ import annotations

import re

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="OMS")


_EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")


def redact(text: str) -> str:
    """`text` with email addresses masked, for a log line quoting an error from another service."""
    return _EMAIL.sub("<address>", text)
