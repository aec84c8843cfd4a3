"""A shop's day in a fixed order: orders of every kind and policy, receipts, rejections, cancellations,
exceptions, silent partners, then weeks on the clock; and what the day ended as.

Everything happens in sequence, each step settled before the next, so the end does not depend on timing:
the same story told twice ends the same, whatever AWS does in between. Its clients act as real ones do
when OMS answers `503`: they send the same request again (the same `external_ref`, `Idempotency-Key` or
`event_id`), so a run under faults differs from a clean one only in what OMS does with them.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from oms import orders
from oms.signatures import HEADER, sign
from tests.ledger import ledgers
from tests.scenario import DAY, DEFAULT_SEED, ORDER, Reply, Scenario

KINDS = 10
# A client's patience with 503s: far more than a 10 % fault rate ever needs in a row.
ATTEMPTS = 30

# Stock for the story's own SKUs: plenty of STORY-A in both warehouses, STORY-B that only receipts bring,
# STORY-C at the third party only, a little STORY-D in each warehouse, DESK-OAK drop-shipped by the vendor.
WAREHOUSE, THIRD_PARTY, VENDOR = "main-warehouse", "east-3pl", "acme-vendor"
STORY_SKUS = ("STORY-A", "STORY-B", "STORY-C", "STORY-D")


def story_seed() -> dict[str, Any]:
    seed = copy.deepcopy(DEFAULT_SEED)
    for sku, name in (
        ("STORY-A", "Story tee"),
        ("STORY-B", "Story mug"),
        ("STORY-C", "Story lamp"),
        ("STORY-D", "Story vase"),
    ):
        seed["products"].append({"sku": sku, "name": name, "fulfillment": "STOCKED"})
    seed["inventory"] += [
        {"sku": "STORY-A", "location": WAREHOUSE, "on_hand": 500},
        {"sku": "STORY-A", "location": THIRD_PARTY, "on_hand": 500},
        {"sku": "STORY-B", "location": WAREHOUSE, "on_hand": 0},
        {"sku": "STORY-C", "location": THIRD_PARTY, "on_hand": 40},
        {"sku": "STORY-D", "location": WAREHOUSE, "on_hand": 2},
        {"sku": "STORY-D", "location": THIRD_PARTY, "on_hand": 2},
    ]
    return seed


@dataclass
class Ending:
    """What the story ended as, in terms that do not depend on generated ids or times."""

    statuses: dict[str, str]
    lines: dict[str, dict[str, dict[str, int]]]
    # (external_ref, kind, shipment number or None, recipient) of every email, with how often it went.
    emails: Counter[tuple[str, str, str | None, str]]
    # {sku: {location: {on_hand, reserved, available}}, with "backordered"} of the story's SKUs.
    stock: dict[str, dict[str, Any]]
    # (sku, location) -> how many movements of each (kind, delta) its ledger holds.
    ledger: dict[tuple[str, str], Counter[tuple[str, int]]]
    orders: dict[str, dict[str, Any]]


class Shop:
    """The storefront, the admin and the partners of the story, over the API as each of them calls it."""

    def __init__(self, oms: Scenario) -> None:
        self.oms = oms
        self.refs: dict[str, str] = {}
        self.retries = 0
        self._events = 0

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        """One request, sent again while OMS answers 503, as a client that honours Retry-After does."""
        for _ in range(ATTEMPTS):
            reply = self.oms.request(method, path, body, **kwargs)
            self.oms.settle()
            if reply.status != 503:
                return reply
            self.retries += 1
        raise AssertionError(f"{method} {path} still 503 after {ATTEMPTS} attempts: {reply.body!r}")

    def place(self, ref: str, lines: list[dict[str, Any]], policy: str = "ship_available") -> str:
        order = {**copy.deepcopy(ORDER), "external_ref": ref, "lines": lines, "backorder_policy": policy}
        reply = self.call("POST", "/orders", order)
        assert reply.status == 202, reply.body
        self.refs[reply.json["order_id"]] = ref
        return str(reply.json["order_id"])

    def order(self, order_id: str) -> dict[str, Any]:
        """The order as `GET /orders/{order_id}` answers it, read by the storefront's code in-process: the
        story looks up shipments often, and its reads are not what the chaos is about."""
        return orders.view(order_id).model_dump(mode="json")

    def shipment(self, order_id: str, partner_id: str, status: str = "SENT") -> str:
        """The order's one shipment at the partner in `status`."""
        order = self.order(order_id)
        found = [
            s["shipment_id"] for s in order["shipments"] if s["partner_id"] == partner_id and s["status"] == status
        ]
        if len(found) != 1:
            execution = self.oms.execution(order_id)
            raise AssertionError(
                f"{self.refs[order_id]}: no one shipment {status} at {partner_id}: {order['status']}, "
                f"{[(s['partner_id'], s['status']) for s in order['shipments']]}, {order['lines']}, "
                f"{[e['type'] for e in order['timeline']]}; execution {execution['status']} {execution['states']} "
                f"{execution['error']} {execution['cause']}"
            )
        return str(found[0])

    def stock(self, sku: str) -> dict[str, Any]:
        reply = self.call("GET", f"/inventory/{sku}", key="admin")
        assert reply.status == 200, reply.body
        return {x.pop("location"): x for x in reply.json["locations"]} | {"backordered": reply.json["backordered"]}

    def open_at(self, order_id: str) -> list[str]:
        """The partners the order has a shipment at waiting for them (SENT)."""
        return [s["partner_id"] for s in self.order(order_id)["shipments"] if s["status"] == "SENT"]

    def track(self, partner_id: str, shipment_id: str, status: str, **fields: Any) -> Reply:
        self._events += 1
        body = {
            "event_id": f"story-{self._events}",
            "shipment_id": shipment_id,
            "status": status,
            "occurred_at": "2026-11-26T10:00:00Z",
            **fields,
        }
        if status == "SHIPPED":
            body |= {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
        raw = json.dumps(body).encode()
        secret = self.oms.secret(partner_id)
        for _ in range(ATTEMPTS):
            signature = sign(secret, raw, int(time.time()))
            reply = self.oms.request(
                "POST",
                f"/partners/{partner_id}/tracking",
                key=None,
                raw=raw,
                headers={HEADER: signature, "Content-Type": "application/json"},
            )
            self.oms.settle()
            if reply.status != 503:
                assert reply.status in (200, 202), reply.body
                return reply
            self.retries += 1
        raise AssertionError(f"tracking {status} still 503 after {ATTEMPTS} attempts")

    def move(self, order_id: str, partner_id: str, *statuses: str, **fields: Any) -> None:
        shipment_id = self.shipment(order_id, partner_id)
        for status in statuses:
            self.track(partner_id, shipment_id, status, **fields)

    def cancel(self, order_id: str) -> Reply:
        return self.call("POST", f"/orders/{order_id}/cancel")

    def receive(self, sku: str, quantity: int, location: str, key: str) -> None:
        body = {"sku": sku, "location": location, "quantity": quantity}
        reply = self.call("POST", "/inventory/receipts", body, key="admin", headers={"Idempotency-Key": key})
        assert reply.status == 200, reply.body


# A partner's updates for a parcel that arrives (steps may be skipped, as partners skip them).
LIFE = ("SHIPPED", "DELIVERED")


def _order(shop: Shop, n: int) -> None:
    """The story's n-th order: its kind is n modulo KINDS."""
    ref, kind = f"STORY-{n:03d}", n % KINDS
    a = {"sku": "STORY-A", "quantity": 1}
    if kind == 0:  # own stock, delivered
        order_id = shop.place(ref, [a])
        shop.move(order_id, WAREHOUSE, *LIFE)
    elif kind == 1:  # a third party and a vendor; the vendor reports shipped, never delivered (fallback feedback)
        order_id = shop.place(ref, [a, {"sku": "STORY-C", "quantity": 1}, {"sku": "DESK-OAK", "quantity": 1}])
        shop.move(order_id, THIRD_PARTY, *LIFE)
        shop.move(order_id, VENDOR, "SHIPPED")
    elif kind == 2:  # part backordered, released by a later receipt
        order_id = shop.place(ref, [a, {"sku": "STORY-B", "quantity": 2}])
        shop.move(order_id, WAREHOUSE, "SHIPPED")
    elif kind == 3:  # held whole until complete
        shop.place(ref, [a, {"sku": "STORY-B", "quantity": 1}], "ship_complete")
    elif kind == 4:  # what is missing cancelled; an exception right after acceptance
        order_id = shop.place(ref, [a, {"sku": "STORY-B", "quantity": 2}], "cancel_unavailable")
        shop.move(order_id, WAREHOUSE, "ACCEPTED", "EXCEPTION", reason="carrier_delay")
    elif kind == 5:  # cancelled whole for one missing unit
        shop.place(ref, [a, {"sku": "STORY-B", "quantity": 1}], "cancel_order")
    elif kind == 6:  # a partner rejects: out of stock (counted down, sent elsewhere or backordered) or other
        sku, reason = ("STORY-D", "out_of_stock") if n % 20 == 6 else ("STORY-A", "other")
        order_id = shop.place(ref, [{"sku": sku, "quantity": 1}])
        for partner_id in shop.open_at(order_id):
            shop.move(order_id, partner_id, "REJECTED", reason=reason)
        for partner_id in shop.open_at(order_id):
            shop.move(order_id, partner_id, *LIFE)
    elif kind == 7:  # the vendor cannot deliver to the address; the rest ships
        order_id = shop.place(ref, [a, {"sku": "DESK-OAK", "quantity": 1}])
        shop.move(order_id, VENDOR, "REJECTED", reason="incorrect_address")
        shop.move(order_id, WAREHOUSE, "SHIPPED")
    elif kind == 8:  # the customer cancels: after dispatch, partly shipped, or while the units wait
        if n % 30 == 18:
            order_id = shop.place(ref, [{"sku": "STORY-B", "quantity": 1}])
        else:
            order_id = shop.place(ref, [a, {"sku": "DESK-OAK", "quantity": 1}])
        if n % 30 == 8:
            shop.move(order_id, WAREHOUSE, "SHIPPED")
        shop.cancel(order_id)
    else:  # the customer cancels while the warehouse ships: the parcel wins
        order_id = shop.place(ref, [a, {"sku": "DESK-OAK", "quantity": 1}])
        warehouse = shop.shipment(order_id, WAREHOUSE)
        shop.cancel(order_id)
        shop.track(WAREHOUSE, warehouse, "SHIPPED")


def tell(shop: Shop, orders: int = 100) -> None:
    """The whole story: `orders` orders, a receipt after every twenty, then four weeks on the clock."""
    for n in range(orders):
        _order(shop, n)
        if n % 20 == 19:
            shop.receive("STORY-B", 5, WAREHOUSE, key=f"story-receipt-{n}")
    shop.oms.advance(28 * DAY)


def ending(shop: Shop) -> Ending:
    orders = {ref: shop.order(order_id) for order_id, ref in shop.refs.items()}
    numbers = {s["shipment_id"]: s["shipment_id"].rpartition("-")[2] for o in orders.values() for s in o["shipments"]}
    emails: Counter[tuple[str, str, str | None, str]] = Counter()
    for email in shop.oms.emails():
        if email["order_id"] in shop.refs:
            shipment = numbers.get(email["shipment_id"]) if email["shipment_id"] else None
            emails[(shop.refs[email["order_id"]], email["kind"], shipment, email["to"][0])] += 1
    return Ending(
        statuses={ref: order["status"] for ref, order in orders.items()},
        lines={
            ref: {x["sku"]: {k: v for k, v in x.items() if k != "sku"} for x in o["lines"]} for ref, o in orders.items()
        },
        emails=emails,
        stock={sku: shop.stock(sku) for sku in STORY_SKUS},
        ledger={
            place: Counter((str(m["kind"]), int(m["delta"])) for m in moved)
            for place, moved in ledgers(shop.oms.stack, STORY_SKUS).items()
        },
        orders=orders,
    )


def unexplained(order: dict[str, Any]) -> str | None:
    """Why an order that has not ended is still open, None when nothing explains it: units waiting for
    stock, a shipment a partner still holds, or a parcel not yet delivered."""
    if order["status"] in ("DELIVERED", "CANCELLED", "FAILED"):
        return None
    if order["status"] == "PLACED":
        return "never allocated"
    waiting = any(line["backordered"] for line in order["lines"])
    at_partner = any(s["status"] in ("SENT", "ACCEPTED", "SHIPPED", "IN_TRANSIT") for s in order["shipments"])
    return None if waiting or at_partner else f"{order['status']} with nothing waiting and nothing at a partner"
