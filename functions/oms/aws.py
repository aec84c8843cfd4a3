"""The AWS clients every function shares, made once per process (once per cold start on Lambda)."""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


def client(service: str) -> Any:
    """A boto3 client for `service`; boto3 sessions are not thread-safe, so one lock guards creation."""
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
            session: Any = boto3.session.Session()
            _clients[service] = session.client(service, region_name=region, config=_CONFIG)
        return _clients[service]


def reset() -> None:
    """Forget every client, so the next call binds to the current endpoint (the local stack's moto)."""
    with _lock:
        _clients.clear()
