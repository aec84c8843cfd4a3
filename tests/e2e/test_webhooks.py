"""Webhooks end to end: `oms local` POSTs partners' requests and the storefront's events to a real receiver on
loopback that verifies every signature; a receiver that fails at first gets the event after retries on the
local clock, one that keeps failing ends in the dead-letter queue until the redrive, and none holds up the
order."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from oms.signatures import HEADER, verify
from tests.e2e.conftest import SEED, Client, running_oms_local

STOREFRONT_SECRET = "storefront-webhook-secret-e2e-0123"
HOUR = 3600


class Receiver:
    """Webhook endpoints on loopback, one per path with its secret: each request's signature is verified
    (a bad one answers 401), then the path answers 500 `failing` more times, or for good while `down`."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.failing: dict[str, int] = {}
        self.down: set[str] = set()
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answer(self.path, raw, self.headers.get(HEADER), self.headers.get("X-OMS-Event-Id"))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def answer(self, path: str, raw: bytes, signature: str | None, event_id: str | None) -> int:
        try:
            verify(self.secrets[path], raw, signature, time.time())
        except Exception:  # noqa: BLE001 - any refusal is a 401 to the sender
            return 401
        with self._lock:
            if path in self.down:
                status = 500
            elif self.failing.get(path, 0) > 0:
                self.failing[path] -= 1
                status = 500
            else:
                status = 200
            body = json.loads(raw)
            assert body["event_id"] == event_id
            self.received.append({"path": path, "status": status, "event": body})
        return status

    def delivered(self, path: str) -> list[dict[str, Any]]:
        """The events the path accepted, once per event_id (a receiver ignores a repeat)."""
        unique: dict[str, dict[str, Any]] = {}
        for hit in self.received:
            if hit["path"] == path and hit["status"] == 200:
                unique.setdefault(hit["event"]["event_id"], hit["event"])
        return list(unique.values())

    def attempts(self, path: str) -> list[int]:
        return [hit["status"] for hit in self.received if hit["path"] == path]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.secrets["/shop"] = STOREFRONT_SECRET
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(scope="module")
def hooked(receiver: Receiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """`oms local` with a seed whose storefront listens on the receiver."""
    seed = copy.deepcopy(SEED)
    seed["settings"]["storefront_webhook_url"] = f"{receiver.url}/shop"
    seed["settings"]["storefront_webhook_secret"] = STOREFRONT_SECRET
    path = Path(tmp_path_factory.mktemp("seed")) / "seed.json"
    path.write_text(json.dumps(seed))
    with running_oms_local("--seed", str(path)) as client:
        yield client


def _partner(client: Client, receiver: Receiver, kind: str) -> str:
    partner, secret = f"hook-{kind.lower().replace('_', '-')}-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    receiver.secrets[f"/{partner}"] = secret
    body = {"id": partner, "kind": kind, "name": f"Hooked {kind.title()}", "email": f"{partner}@partners.example",
            "secret": secret, "webhook_url": f"{receiver.url}/{partner}"}  # fmt: skip
    assert client.call("PUT", f"/partners/{partner}", body, key="admin").status == 200
    return partner


def _product(client: Client, name: str, location: str | None = None, vendor: str | None = None) -> str:
    sku = f"{name}-{uuid.uuid4().hex[:6]}".upper()
    body = {"sku": sku, "name": name.title(), "fulfillment": "DROPSHIP" if vendor else "STOCKED"}
    if vendor:
        body["vendor_id"] = vendor
    assert client.call("PUT", f"/products/{sku}", body, key="admin").status == 200
    if location:
        counted = {"sku": sku, "location": location, "on_hand": 5}
        assert client.call("POST", "/inventory/adjustments", counted, key="admin").status == 200
    return sku


def test_each_partner_and_the_storefront_get_their_events_signed_retried_and_redriven(
    hooked: Client, receiver: Receiver
) -> None:
    warehouse, third_party, vendor = (
        _partner(hooked, receiver, kind) for kind in ("WAREHOUSE", "THIRD_PARTY", "VENDOR")
    )
    receiver.failing[f"/{third_party}"] = 2
    receiver.down.add(f"/{vendor}")
    lines = [
        {"sku": _product(hooked, "hook-mug", location=warehouse), "quantity": 1},
        {"sku": _product(hooked, "hook-lamp", location=third_party), "quantity": 1},
        {"sku": _product(hooked, "hook-desk", vendor=vendor), "quantity": 1},
    ]
    order = {"external_ref": f"HOOK-{uuid.uuid4().hex[:8]}", "customer": {"email": "ada@example.com", "name": "Ada"},
             "shipping_address": {"name": "Ada", "line1": "1 Loop Rd", "city": "London", "postal_code": "SW1Y 4JH",
                                  "country": "GB"}, "lines": lines}  # fmt: skip

    placed = hooked.call("POST", "/orders", order)
    hooked.settle()

    # Failing receivers hold nothing up: every partner has its shipment, the order goes on.
    order_id = placed.json["order_id"]
    seen = hooked.call("GET", f"/orders/{order_id}").json
    assert seen["status"] == "PROCESSING"
    shipments = {s["partner_id"]: s["shipment_id"] for s in seen["shipments"]}
    assert set(shipments) == {warehouse, third_party, vendor}
    [request] = receiver.delivered(f"/{warehouse}")
    assert (request["type"], request["order_id"]) == ("fulfillment_request", order_id)
    assert request["shipment"]["shipment_id"] == shipments[warehouse]
    assert receiver.attempts(f"/{third_party}") == [500]

    # The third party's receiver comes back: the retries (30 s, then 60 s later) get the request through.
    hooked.advance(30)
    hooked.advance(60)
    assert receiver.attempts(f"/{third_party}") == [500, 500, 200]
    [retried] = receiver.delivered(f"/{third_party}")
    assert len({hit["event"]["event_id"] for hit in receiver.received if hit["path"] == f"/{third_party}"}) == 1
    assert retried["shipment"]["shipment_id"] == shipments[third_party]

    # The vendor's never does: after the last attempt the purchase order waits in the dead-letter queue.
    # (each advance lets one more attempt through: the next waits its backoff from when this one failed)
    for _ in range(10):
        hooked.advance(HOUR)
    assert receiver.delivered(f"/{vendor}") == []
    assert receiver.attempts(f"/{vendor}") == [500] * 12
    attempts = hooked.call("GET", f"/partners/{vendor}/webhooks", key="admin").json["attempts"]
    assert attempts[0]["status"] == "dead_lettered"
    assert {a["event_id"] for a in attempts} == {receiver.received[-1]["event"]["event_id"]}

    receiver.down.discard(f"/{vendor}")
    redriven = hooked.call("POST", "/webhooks/dead-letters/redrive", {}, key="admin")
    hooked.settle()
    assert redriven.status == 200 and redriven.json["redriven"] >= 1
    [purchase_order] = receiver.delivered(f"/{vendor}")
    assert (purchase_order["type"], purchase_order["event_id"]) == ("purchase_order", attempts[0]["event_id"])

    # The storefront heard the order's events, signed with its own secret, without the customer's data.
    events = [event for event in receiver.delivered("/shop") if event["order_id"] == order_id]
    types = [event["type"] for event in events]
    assert "OrderAllocated" in types and types.count("ShipmentSent") == 3
    assert {frozenset(event) for event in events} == {frozenset({"type", "event_id", "at", "order_id", "detail"})}
    assert "ada@example.com" not in json.dumps(events) and "Loop Rd" not in json.dumps(events)
