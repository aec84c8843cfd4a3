"""`oms demo`: one order's whole life, told step by step, on a local stack in this process and over its HTTP API."""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

DAY = 24 * 3600
CUSTOMER = {"email": "ada@example.com", "name": "Ada Lovelace"}
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Sq",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
# More red tees than the seed's two locations hold (10 + 5), and a drop-ship desk: three kinds of shipment
# and one unit on backorder.
LINES = [{"sku": "TEE-RED-M", "quantity": 16}, {"sku": "DESK-OAK", "quantity": 1}]
# Each partner's carrier and the shape of its tracking numbers (the n-th shipment shipped takes n).
CARRIERS = {"main-warehouse": ("UPS", "1Z999AA1012345{:04d}"), "acme-vendor": ("DHL", "JD01460000628123{:04d}")}
STEPS = (
    "Start OMS on moto",
    "Storefront places an order",
    "Admin receives stock: the receipt releases the backorder",
    "East Fulfilment rejects its shipment (out of stock): the units are re-routed",
    "Partners accept and ship, each with a carrier and a tracking number",
    "Partners report the parcels in transit and delivered",
    "The clock moves on 7 days: the feedback request is sent",
    "Customer follows the emailed link and gives feedback",
)


@dataclass
class Answer:
    status: int
    body: Any


class Api:
    """What a storefront, the admin, a partner and a customer send over HTTP."""

    def __init__(self, url: str, seed: dict[str, Any]) -> None:
        self.url = url
        self.keys = seed["api_keys"]
        self.secrets = {p["id"]: p["secret"] for p in seed["partners"]}
        self._events = 0

    def call(
        self, method: str, path: str, body: Any = None, *, key: str | None = "storefront", **headers: str
    ) -> Answer:
        data = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if key:
            request.add_header("x-api-key", self.keys[key])
        for name, value in headers.items():
            request.add_header(name.replace("_", "-"), value)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return Answer(status, json.loads(raw) if raw else None)
        except ValueError:
            return Answer(status, raw.decode(errors="replace"))

    def track(self, partner_id: str, shipment_id: str, status: str, **fields: Any) -> Any:
        """A partner's update, signed with its secret, applied (`202`)."""
        from oms.signatures import HEADER, sign

        self._events += 1
        body = {
            "event_id": f"demo-{self._events}",
            "shipment_id": shipment_id,
            "status": status,
            "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **fields,
        }
        raw = json.dumps(body).encode()
        signature = sign(self.secrets[partner_id], raw, int(time.time()))
        return self.expect(202, "POST", f"/partners/{partner_id}/tracking", raw, key=None, **{HEADER: signature})

    def settle(self) -> dict[str, Any]:
        return self.advance(0)

    def advance(self, seconds: int) -> dict[str, Any]:
        return dict(self.expect(200, "POST", "/_local/clock/advance", {"seconds": seconds}, key=None))

    def expect(self, status: int, method: str, path: str, body: Any = None, **options: Any) -> Any:
        answer = self.call(method, path, body, **options)
        if answer.status != status:
            raise DemoError(f"{method} {path} answered {answer.status}, not {status}: {answer.body}")
        return answer.body


class DemoError(Exception):
    """The stack answered what the story did not expect."""


@dataclass
class Narrator:
    """Prints each step with its number and the time since the start, then what the step made happen: the
    order's new timeline entries and every email sent since."""

    out: TextIO
    started: float = field(default_factory=time.monotonic)
    step: int = 0
    order_id: str = ""
    _timeline: int = 0
    _emails: int = 0

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def next(self) -> None:
        self.step += 1
        self.say(f"[{self.step}/{len(STEPS)}] {self.elapsed():5.1f}s  {STEPS[self.step - 1]}")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def news(self, api: Api) -> dict[str, Any]:
        """Waits for what the last request set off to settle, tells what it did; the order as it is now."""
        api.settle()
        order: dict[str, Any] = api.expect(200, "GET", f"/orders/{self.order_id}")
        for entry in order["timeline"][self._timeline :]:
            # The outbox below tells every email, the partners' too, with its subject.
            if entry["type"] != "EmailSent":
                self.say(f"    timeline  {entry['type']:<18} {describe(entry['detail'], order)}".rstrip())
        self._timeline = len(order["timeline"])
        emails = api.expect(200, "GET", "/_local/outbox", key=None)["emails"]
        for email in emails[self._emails :]:
            self.say(f"    email     {email['kind']:<20} to {', '.join(email['to'])}: {email['subject']}")
        self._emails = len(emails)
        return order


def describe(detail: dict[str, Any], order: dict[str, Any]) -> str:
    """A timeline entry's detail in a few words, shipments by their short names (S1, S2...)."""
    shipments = {s["shipment_id"]: s for s in order["shipments"]}
    short = {sid: sid.removeprefix(f"{order['order_id']}-") for sid in shipments}
    words = []
    if detail.get("shipment_id") in shipments:
        shipment = shipments[detail["shipment_id"]]
        words.append(f"{short[shipment['shipment_id']]} {shipment['partner_id']}")
        if "partner_id" in detail:  # ShipmentSent: what went where
            items = ", ".join(f"{line['quantity']} x {line['sku']}" for line in shipment["lines"])
            words.append(f"({shipment['kind']}): {items}")
    if detail.get("shipments"):
        words.append("new shipments " + ", ".join(short.get(sid, sid) for sid in detail["shipments"]))
    if isinstance(detail.get("lines"), dict):
        words.append(", ".join(f"{quantity} x {sku}" for sku, quantity in detail["lines"].items()))
    words += [str(detail[name]) for name in ("carrier", "tracking_number", "tracking_url") if detail.get(name)]
    for name in ("external_ref", "reason", "rating"):
        if detail.get(name) is not None:
            words.append(f"{name.replace('_', ' ')} {detail[name]}")
    return " ".join(words)


@contextmanager
def running_stack() -> Iterator[tuple[str, dict[str, Any]]]:
    """The local stack with the default seed, its API served on a free port of this machine: (URL, seed)."""
    from local.api.emulator import ApiEmulator
    from local.api.server import serve
    from local.seed import api_key_kinds, read_seed, seeded_stack
    from oms import clock

    seed = read_seed(None)
    # Bound before the stack starts: the feedback link in the emails needs the server's URL.
    server = serve(None, None, "127.0.0.1", 0)
    try:
        with seeded_stack(seed, server.url) as (stack, template):
            emulator = ApiEmulator(template, api_key_kinds(seed), stack.invoke, wall_clock=clock.now)
            server.attach(stack, emulator).start()
            try:
                yield server.url, seed
            finally:
                server.shutdown()
    finally:
        server.server_close()


def story(api: Api, tell: Narrator) -> dict[str, Any]:
    """Steps 2 to the end, as the storefront, the admin, the partners and the customer take them."""
    tell.next()
    ref = f"SHOP-{uuid.uuid4().hex[:6].upper()}"
    body = {"external_ref": ref, "customer": CUSTOMER, "shipping_address": ADDRESS, "lines": LINES}
    placed = api.expect(202, "POST", "/orders", body)
    tell.order_id = placed["order_id"]
    items = ", ".join(f"{line['quantity']} x {line['sku']}" for line in LINES)
    tell.say(f"    POST      /orders {ref} ({items}) -> 202 {placed['order_id']} {placed['status']}")
    order = tell.news(api)

    tell.next()
    receipt = {"sku": "TEE-RED-M", "location": "main-warehouse", "quantity": 6}
    stock = api.expect(200, "POST", "/inventory/receipts", receipt, key="admin", Idempotency_Key=f"GRN-{ref}")
    tell.say(f"    POST      /inventory/receipts 6 x TEE-RED-M at main-warehouse -> {stock_words(stock)}")
    order = tell.news(api)

    tell.next()
    rejected = [s for s in order["shipments"] if s["partner_id"] == "east-3pl"]
    if not rejected:
        raise DemoError("the order has no shipment at east-3pl: is the default seed as shipped?")
    api.track("east-3pl", rejected[0]["shipment_id"], "REJECTED", reason="out_of_stock")
    order = tell.news(api)

    tell.next()
    moving = [s for s in order["shipments"] if s["status"] == "SENT"]
    for n, shipment in enumerate(moving):
        carrier, numbers = CARRIERS.get(shipment["partner_id"], CARRIERS["main-warehouse"])
        number = numbers.format(n + 1)
        api.track(shipment["partner_id"], shipment["shipment_id"], "ACCEPTED")
        api.track(shipment["partner_id"], shipment["shipment_id"], "SHIPPED", carrier=carrier, tracking_number=number)
    order = tell.news(api)

    tell.next()
    for shipment in moving:
        api.track(shipment["partner_id"], shipment["shipment_id"], "IN_TRANSIT")
        api.track(shipment["partner_id"], shipment["shipment_id"], "DELIVERED")
    order = tell.news(api)

    tell.next()
    advanced = api.advance(7 * DAY + 60)
    feedback = [name for name in advanced["fired"] if name.startswith("feedback-")]
    others = len(advanced["fired"]) - len(feedback)
    tell.say(
        f"    clock     now {advanced['now']}; fired {', '.join(feedback) or 'no feedback schedule'}"
        + (f" and {others} partner deadlines (each shipment had moved on: nothing to do)" if others else "")
    )
    order = tell.news(api)

    tell.next()
    emails = api.expect(200, "GET", "/_local/outbox", key=None)["emails"]
    request = [e for e in emails if e["kind"] == "feedback_request" and e["order_id"] == tell.order_id]
    link = re.search(r"https?://[^/\s]+(/feedback/[^\s\"<>]+)", request[0]["text"]) if request else None
    if link is None:
        raise DemoError("no feedback request with a link was sent")
    api.expect(200, "GET", link.group(1), key=None)
    api.expect(201, "POST", link.group(1), {"rating": 5, "comment": "Quick, and the desk is lovely."}, key=None)
    tell.say(f"    GET/POST  {link.group(1)[:40]}... rating 5 -> 201")
    order = tell.news(api)
    tell.say(f"    stock     TEE-RED-M: {stock_words(api.expect(200, 'GET', '/inventory/TEE-RED-M', key='admin'))}")
    return order


def stock_words(stock: dict[str, Any]) -> str:
    places = [f"{x['location']} {x['on_hand']} on hand, {x['reserved']} reserved" for x in stock["locations"]]
    return "; ".join([*places, f"{stock['backordered']} backordered"])


def run(out: TextIO = sys.stdout) -> int:
    """Tell the story on a fresh local stack; 0 once the order has been delivered and rated."""
    from local.aws import synth

    tell = Narrator(out)
    tell.next()
    if not synth.cached_path().is_file():
        tell.say("    synth     the CDK app, once per change of infra/ or functions/ (the slow part)")
    with running_stack() as (url, seed):
        tell.say(
            f"    OMS       {url}, default seed (main-warehouse, east-3pl, acme-vendor), ready in {tell.elapsed():.1f}s"
        )
        try:
            order = story(Api(url, seed), tell)
        except DemoError as error:
            print(f"oms demo: {error}", file=sys.stderr)
            return 1
    lines = "; ".join(f"{x['sku']} {x['delivered']}/{x['quantity']} delivered" for x in order["lines"])
    tell.say(f"Done in {tell.elapsed():.1f}s: order {order['order_id']} is {order['status']} ({lines}).")
    return 0 if order["status"] == "DELIVERED" else 1
