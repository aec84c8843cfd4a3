"""The local stack's own AWS clients (provisioning, the clock, deliveries, tests' reads), one per service
and region for the whole process.

A boto3 client made from a new Session loads its service model, endpoint rules and credential and token
providers again: about 150 ms on this machine, against a few milliseconds for a call to moto. Made per
delivered event or per stack that cost more than the calls themselves. A client is thread-safe once made
(a Session is not, hence the lock), and one made for one moto mock serves the next: moto's stubs and the
chaos hook sit in botocore's built-in handlers, which every client carries and which answer whichever
mock is open. The handlers' own clients are `oms.aws`'s, made as on Lambda.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3

# moto puts its stubs in botocore's built-in handlers on import: before any client here is made.
import moto.core.models  # noqa: F401

from local.aws.template import REGION

_lock = threading.Lock()
_sessions: dict[str, boto3.session.Session] = {}
_clients: dict[tuple[str, str], Any] = {}


def client(service: str, region: str = REGION) -> Any:
    """The process's client of `service` in `region`, made on first use."""
    found = _clients.get((service, region))
    if found is not None:
        return found
    with _lock:
        if (service, region) not in _clients:
            session = _sessions.setdefault(region, boto3.session.Session(region_name=region))
            _clients[(service, region)] = session.client(service)  # type: ignore[call-overload]
        return _clients[(service, region)]
