"""The local HTTP server over real sockets, with a fake stack and a fake API emulator."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local.api.server import LocalServer, start
from local.cli import main

EMAIL = {
    "id": "m-1",
    "to": ["ada@example.com"],
    "from": "orders@merchant.example",
    "subject": "Thanks",
    "text": "t",
    "html": "<p>t</p>",
    "kind": "order_confirmed",
    "order_id": "ord-1",
    "sent_at": "2026",
}


class FakeStack:
    def __init__(self) -> None:
        self.advances: list[float] = []

    def outbox(self) -> list[dict]:
        return [EMAIL]

    def advance(self, seconds: float) -> dict:
        self.advances.append(seconds)
        return {"now": "2026-11-27T10:00:00.000Z", "fired": ["feedback-ord-1"]}


class FakeEmulator:
    def __init__(self) -> None:
        self.requests: list[tuple] = []
        self.barrier: threading.Barrier | None = None
        self.fail = False

    def handle(self, method, path, query, headers, body, *, source_ip="127.0.0.1"):
        self.requests.append((method, path, query, headers, body, source_ip))
        if self.fail:
            raise RuntimeError("emulator bug")
        if self.barrier is not None:
            self.barrier.wait()  # every client inside `handle` at once, or BrokenBarrierError
        return 201, {"Content-Type": "application/json", "X-Served-By": "fake"}, b'{"ok": true}'


@pytest.fixture
def stack() -> FakeStack:
    return FakeStack()


@pytest.fixture
def emulator() -> FakeEmulator:
    return FakeEmulator()


@pytest.fixture
def openapi(tmp_path: Path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text('{"openapi": "3.1.0"}')
    return path


@pytest.fixture
def server(stack, emulator, openapi):
    running = start(stack, emulator, openapi=openapi)
    yield running
    running.stop()


def _call(server: LocalServer, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_outbox_lists_the_stack_emails(server):
    status, headers, body = _call(server, "GET", "/_local/outbox")

    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"emails": [EMAIL]}


def test_clock_advance_moves_the_stack_clock_and_returns_what_fired(server, stack):
    status, _, body = _call(server, "POST", "/_local/clock/advance", json.dumps({"seconds": 86400}).encode())

    assert status == 200
    assert json.loads(body) == {"now": "2026-11-27T10:00:00.000Z", "fired": ["feedback-ord-1"]}
    assert stack.advances == [86400]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b"{}",
        b'{"seconds": -1}',
        b'{"seconds": "ten"}',
        b'{"seconds": true}',
        b'{"seconds": null}',
    ],
)
def test_clock_advance_rejects_bad_input_with_the_envelope(server, stack, body):
    status, _, raw = _call(server, "POST", "/_local/clock/advance", body)

    assert status == 400
    error = json.loads(raw)["error"]
    assert error["code"] == "validation_error" and error["details"][0]["field"] == "seconds"
    assert stack.advances == []


def test_local_route_with_the_wrong_method_is_405(server):
    status, headers, raw = _call(server, "POST", "/_local/outbox", b"{}")

    assert (status, headers["Allow"], json.loads(raw)["error"]["code"]) == (405, "GET", "method_not_allowed")


def test_openapi_document_is_served_as_is(server, openapi):
    status, _, body = _call(server, "GET", "/_local/openapi.json")

    assert (status, body) == (200, openapi.read_bytes())


def test_missing_openapi_document_is_404(stack, emulator, tmp_path):
    running = start(stack, emulator, openapi=tmp_path / "absent.json")
    try:
        status, _, raw = _call(running, "GET", "/_local/openapi.json")
    finally:
        running.stop()

    assert (status, json.loads(raw)["error"]["code"]) == (404, "not_found")


def test_other_requests_go_to_the_emulator_unchanged(server, emulator):
    status, headers, body = _call(
        server, "PUT", "/products/TEE-RED-M?tag=a&tag=b&empty=", b'{"name": "Red tee"}', {"x-api-key": "k"}
    )

    assert (status, headers["X-Served-By"], body) == (201, "fake", b'{"ok": true}')
    method, path, query, request_headers, request_body, source_ip = emulator.requests[-1]
    assert (method, path, source_ip) == ("PUT", "/products/TEE-RED-M", "127.0.0.1")
    assert query == {"tag": ["a", "b"], "empty": [""]}
    assert request_headers["X-Api-Key"] == "k"
    assert request_body == b'{"name": "Red tee"}'


def test_eight_concurrent_clients_are_served_at_once(server, emulator):
    emulator.barrier = threading.Barrier(8, timeout=10)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: _call(server, "GET", f"/orders/ord-{i}"), range(8)))

    assert [status for status, _, _ in results] == [201] * 8
    assert sorted(request[1] for request in emulator.requests) == [f"/orders/ord-{i}" for i in range(8)]


def test_an_emulator_crash_answers_500_and_the_server_keeps_serving(server, emulator):
    emulator.fail = True
    status, _, raw = _call(server, "GET", "/orders/ord-1")
    emulator.fail = False

    assert (status, json.loads(raw)["error"]["code"]) == (500, "internal_error")
    assert _call(server, "GET", "/orders/ord-1")[0] == 201


def test_stopped_server_refuses_connections(stack, emulator):
    running = start(stack, emulator)
    running.stop()

    with pytest.raises(urllib.error.URLError):
        _call(running, "GET", "/_local/outbox")


def test_oms_seed_says_clearly_when_the_server_has_no_admin_api(stack, tmp_path, capsys):
    class NoAdminRoutes:
        def handle(self, *args, **kwargs):
            return 404, {"Content-Type": "application/json"}, b'{"error": {"code": "not_found"}}'

    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"products": [{"sku": "TEE-RED-M", "name": "Red tee, M"}]}))
    running = start(stack, NoAdminRoutes())
    try:
        code = main(["seed", "--url", running.url, "--admin-key", "adm", str(seed)])
    finally:
        running.stop()

    assert code == 1
    assert "has no PUT /products/{id} route" in capsys.readouterr().err
