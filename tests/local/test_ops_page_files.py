"""The local server hands `/_local/ui` to the ops page: its shipped files, nothing else from disk, and its
backend calling the API with the seed's keys."""

from __future__ import annotations

import json

import pytest

from local.api.server import start
from tests.local.test_server import FakeEmulator, FakeStack, _call

KEYS = {"storefront": "shop-key", "admin": "boss-key"}


@pytest.fixture
def served():
    emulator = FakeEmulator()
    server = start(FakeStack(), emulator)
    server.attach(FakeStack(), emulator, api_keys=KEYS)
    yield server, emulator
    server.stop()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/_local/ui", "text/html"),
        ("/_local/ui/", "text/html"),
        ("/_local/ui/static/app.js", "text/javascript"),
        ("/_local/ui/static/style.css", "text/css"),
    ],
)
def test_the_page_and_its_files_are_served(served, path, kind):
    status, headers, body = _call(served[0], "GET", path)

    assert status == 200 and headers["Content-Type"].startswith(kind) and body


@pytest.mark.parametrize(
    "path", ["/_local/ui/static/../../cli.py", "/_local/ui/static/%2e%2e/__init__.py", "/_local/ui/graph.py"]
)
def test_nothing_but_the_shipped_files_is_served(served, path):
    status, _, _ = _call(served[0], "GET", path)

    assert status == 404


def test_the_order_list_is_the_admin_listing_called_with_the_admin_key(served):
    server, emulator = served

    status, _, body = _call(server, "GET", "/_local/ui/api/orders?status=SHIPPED")

    assert status == 201 and json.loads(body) == {"ok": True}
    method, path, query, headers, _, _ = emulator.requests[-1]
    assert (method, path, headers["x-api-key"]) == ("GET", "/orders", "boss-key")
    assert query == {"limit": ["20"], "status": ["SHIPPED"]}


def test_an_unknown_backend_route_is_a_404_and_the_api_routes_still_reach_the_emulator(served):
    server, emulator = served

    assert _call(server, "GET", "/_local/ui/api/nothing")[0] == 404
    assert _call(server, "GET", "/orders/ord-1")[0] == 201
    assert emulator.requests[-1][1] == "/orders/ord-1"
