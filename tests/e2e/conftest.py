"""End-to-end tier: `oms local` started as a user starts it, on a free port, driven over HTTP."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from local.mail_faults import REFUSE_VARIABLE
from oms.signatures import HEADER, sign
from tests.e2e.shop import Shop
from tests.scenario import DEFAULT_SEED, Reply

ROOT = Path(__file__).resolve().parents[2]
SEED = DEFAULT_SEED
STARTUP_SECONDS = 120
# The one customer address the tier's SES refuses, as SES refuses an address it will not deliver to.
REFUSED_RECIPIENT = "no-such-mailbox@example.com"


class Client:
    """What a storefront, a partner or a customer does over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys = SEED["api_keys"]

    def aws(self, service: str) -> Any:
        """A boto3 client of the stack's AWS endpoint (the server's own address, for signed requests)."""
        import boto3

        return boto3.session.Session(
            aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
        ).client(service, endpoint_url=self.url)  # type: ignore[call-overload]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = "storefront",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("x-api-key", self.keys[key])
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def track(
        self,
        partner_id: str,
        shipment_id: str,
        status: str,
        event_id: str,
        settle: bool = True,
        secret: str | None = None,
        **fields: Any,
    ) -> Reply:
        """A signed update, with the seed partner's secret unless the test made the partner itself."""
        secret = secret or next(p["secret"] for p in SEED["partners"] if p["id"] == partner_id)
        body = {
            "event_id": event_id,
            "shipment_id": shipment_id,
            "status": status,
            "occurred_at": "2026-11-26T10:00:00Z",
            **fields,
        }
        raw = json.dumps(body).encode()
        answer = self.call(
            "POST",
            f"/partners/{partner_id}/tracking",
            key=None,
            raw=raw,
            headers={HEADER: sign(secret, raw, int(time.time()))},
        )
        if settle:
            self.settle()
        return answer

    def settle(self) -> None:
        """Advancing the clock by nothing returns once every execution waits on a partner or has ended."""
        self.advance(0)

    def advance(self, seconds: int) -> dict[str, Any]:
        answer = self.call("POST", "/_local/clock/advance", {"seconds": seconds}, key=None)
        assert answer.status == 200, answer.body
        return dict(answer.json)

    def chaos(self) -> dict[str, Any]:
        """What `oms local --faults/--twice` injected so far: `local.chaos.ChaosReport.as_json()`."""
        answer = self.call("GET", "/_local/chaos", key=None)
        assert answer.status == 200, answer.body
        return dict(answer.json)

    def outbox(self, kind: str | None = None, order_id: str | None = None) -> list[dict[str, Any]]:
        emails = self.call("GET", "/_local/outbox", key=None).json["emails"]
        return [
            e for e in emails if (kind is None or e["kind"] == kind) and (order_id is None or e["order_id"] == order_id)
        ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_oms_local(*options: str) -> Iterator[Client]:
    """`oms local` with `options` (`--faults 0.1 --twice`), started like a user would on a free port,
    stopped with Ctrl-C."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local.cli", "local", "--port", str(port), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", REFUSE_VARIABLE: REFUSED_RECIPIENT},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    seen: list[str] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        seen.append(line)
        if line.startswith("OMS is running on"):
            break
        assert process.poll() is None, "".join(seen)
    try:
        yield Client(f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=30) == 0, "oms local did not stop cleanly on Ctrl-C"
        finally:
            if process.poll() is None:
                process.kill()


@pytest.fixture(scope="session")
def oms_local() -> Iterator[Client]:
    """One `oms local` for the tier."""
    with running_oms_local() as client:
        yield client


@pytest.fixture
def shop(oms_local: Client) -> Iterator[Shop]:
    """A scenario's own SKUs and orders on the tier's `oms local`; its stock must add up when it ends."""
    made = Shop(oms_local)
    yield made
    made.balanced()
