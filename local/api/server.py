"""The local stack's HTTP server: the emulated API routes, the key-less `/_local/*` routes (the ops page at
`/_local/ui` among them), and the AWS endpoint."""

from __future__ import annotations

import json
import math
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, urlsplit

from local.aws import endpoint

if TYPE_CHECKING:
    from local.ui import OpsPage

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
HttpResponse = tuple[int, dict[str, str], bytes]


class Stack(Protocol):
    def outbox(self) -> list[dict]: ...

    def advance(self, seconds: float) -> dict: ...


class Report(Protocol):
    def as_json(self) -> dict: ...


class Emulator(Protocol):
    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        *,
        source_ip: str = ...,
    ) -> HttpResponse: ...


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    body = json.dumps(payload, default=str).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, body


def _problem(status: int, code: str, message: str, details: list | None = None, **headers: str) -> HttpResponse:
    return _json(status, {"error": {"code": code, "message": message, "details": details or []}}, headers)


class LocalServer(ThreadingHTTPServer):
    """One thread per connection, so slow requests (an advance that waits for executions) block no one."""

    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 refuses bursts of concurrent clients

    def __init__(self, host: str, port: int, *, openapi: Path = OPENAPI, verbose: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.stack: Stack | None = None
        self.emulator: Emulator | None = None
        self.chaos: Report | None = None
        self.ops: OpsPage | None = None
        self.openapi, self.verbose = openapi, verbose
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    def attach(
        self, stack: Stack, emulator: Emulator, chaos: Report | None = None, api_keys: dict[str, str] | None = None
    ) -> LocalServer:
        """Bind first, attach later: the stack needs the server's URL (PUBLIC_BASE_URL) before it exists.
        `chaos` is the report of `oms local --faults/--twice`, served at `/_local/chaos`; `api_keys` are the
        seed's (the contract's defaults without them), with which the ops page calls the API."""
        from local.ui import OpsPage
        from oms.models import ApiKeys

        self.stack, self.emulator, self.chaos = stack, emulator, chaos
        self.ops = OpsPage(stack, emulator, api_keys or ApiKeys().model_dump())
        return self

    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self.serve_forever, name="oms-local-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()

    def answer(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> HttpResponse:
        stack, emulator = self.stack, self.emulator
        if stack is None or emulator is None:
            return _problem(503, "starting", "The local stack is still starting.")
        if endpoint.is_signed(headers):
            return endpoint.answer(method, path, query, headers, body)
        local = {
            "/_local/outbox": ("GET", lambda: _json(200, {"emails": stack.outbox()})),
            "/_local/clock/advance": ("POST", lambda: self._advance(stack, body)),
            "/_local/openapi.json": ("GET", self._openapi),
            "/_local/chaos": ("GET", self._chaos),
        }
        if self.ops is not None and self.ops.serves(path):
            return self.ops.answer(method, path, query, body)
        if path in local:
            allowed, action = local[path]
            if method != allowed:
                return _problem(405, "method_not_allowed", f"{path} takes {allowed} only.", Allow=allowed)
            return action()
        return emulator.handle(
            method, path, parse_qs(query, keep_blank_values=True), headers, body, source_ip=source_ip
        )

    def _advance(self, stack: Stack, body: bytes) -> HttpResponse:
        try:
            seconds = json.loads(body or b"null")["seconds"]
        except (ValueError, TypeError, KeyError):
            seconds = None
        # bool is an int in Python; `true` seconds is a client mistake, not one second.
        number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
        if not number or not math.isfinite(seconds) or seconds < 0:
            detail = {"field": "seconds", "message": "must be a number of seconds, zero or more"}
            return _problem(400, "validation_error", 'The body must be {"seconds": N} with N >= 0.', [detail])
        return _json(200, stack.advance(seconds))

    def _chaos(self) -> HttpResponse:
        if self.chaos is None:
            return _problem(404, "not_found", "This local stack runs without --faults or --twice.")
        return _json(200, self.chaos.as_json())

    def _openapi(self) -> HttpResponse:
        try:
            return 200, {"Content-Type": "application/json"}, self.openapi.read_bytes()
        except FileNotFoundError:
            return _problem(404, "not_found", "This checkout has no openapi.json yet.")


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"  # keep-alive for clients that reuse connections; every answer has a length

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = dict(self.headers.items())
            status, out, payload = self.server.answer(
                self.command, url.path, url.query, headers, body, self.client_address[0]
            )
        except ValueError:
            status, out, payload = _problem(400, "bad_request", "The Content-Length header is not a number.")
        except Exception:  # a bug in the local machinery must answer, not hang the client
            traceback.print_exc(file=sys.stderr)
            status, out, payload = _problem(500, "internal_error", "The local stack failed; see its console.")
        self.send_response(status)
        for name, value in out.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY, ...) reaches the emulator, which answers it as API Gateway
        # answers a method no route has, instead of the standard library's HTML 501 page.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


def serve(
    stack: Stack | None,
    emulator: Emulator | None,
    host: str = "127.0.0.1",
    port: int = 3000,
    *,
    openapi: Path = OPENAPI,
    verbose: bool = False,
) -> LocalServer:
    """A bound server, not yet serving: call `start()` for a background thread or `serve_forever()`."""
    server = LocalServer(host, port, openapi=openapi, verbose=verbose)
    if stack is not None and emulator is not None:
        server.attach(stack, emulator)
    return server


def start(stack: Stack, emulator: Emulator, host: str = "127.0.0.1", port: int = 0, **options: Any) -> LocalServer:
    """Serve on a background thread (port 0: any free port); `stop()` shuts it down and joins the thread."""
    return serve(stack, emulator, host, port, **options).start()
