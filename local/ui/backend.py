"""The ops page's JSON backend under `/_local/ui/api/`: it reads through the real API routes (with the seed's
keys), the order's execution in Step Functions and the outbox, and acts as a partner would, signing with the
partner's secret. Local only: nothing here is part of the product's API."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Protocol
from urllib.parse import parse_qs, quote

from local.ui import graph
from oms import clock
from oms.signatures import HEADER, sign
from oms.statuses import LOCATION_KINDS, ShipmentStatus, move_applies

HttpResponse = tuple[int, dict[str, str], bytes]
ORDERS_PAGE = 20
WEBHOOKS_PAGE = 20
OUTBOX_SHOWN = 200
# Partner shipments worth a move: those that have not ended.
OPEN_SHIPMENTS = ("SENT", "ACCEPTED", "SHIPPED", "IN_TRANSIT")
# What a partner can report, in the order a parcel lives it; EXCEPTION is a delay, not a move.
PARTNER_MOVES = ("ACCEPTED", "REJECTED", "SHIPPED", "IN_TRANSIT", "DELIVERED")


class Emulator(Protocol):
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> HttpResponse: ...


class Stack(Protocol):
    resources: Any

    def client(self, service: str) -> Any: ...

    def outbox(self) -> list[dict]: ...

    def execution(self, order_id: str) -> dict[str, Any]: ...


def _json(status: int, payload: Any) -> HttpResponse:
    return status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(payload).encode()


def next_moves(status: str) -> list[str]:
    """The partner updates that would move a shipment in `status` forward, EXCEPTION included while it can
    still move."""
    moves = [move for move in PARTNER_MOVES if move_applies(ShipmentStatus(status), ShipmentStatus(move))]
    return [*moves, "EXCEPTION"] if moves else []


class OpsBackend:
    def __init__(self, stack: Stack, emulator: Emulator, api_keys: dict[str, str]) -> None:
        self.stack, self.emulator, self.keys = stack, emulator, api_keys
        self._definition: dict[str, Any] | None = None

    def answer(self, method: str, path: str, query: str, body: bytes) -> HttpResponse:
        """`path` is what follows `/_local/ui/api/`."""
        params = {name: values[-1] for name, values in parse_qs(query).items()}
        parts = [part for part in path.split("/") if part]
        routes = {
            ("GET", "orders"): lambda: self.orders(params.get("status"), params.get("cursor")),
            ("GET", "inventory"): self.inventory,
            ("POST", "inventory/receipts"): lambda: self.receive(body),
            ("GET", "partners"): self.partners,
            ("GET", "outbox"): self.outbox,
            ("GET", "webhooks"): self.webhooks,
        }
        action = routes.get((method, "/".join(parts)))
        if action is not None:
            return action()
        if method == "GET" and len(parts) == 2 and parts[0] == "orders":
            return self.order(parts[1])
        if method == "GET" and len(parts) == 2 and parts[0] == "outbox":
            return self.email(parts[1])
        if method == "POST" and len(parts) == 3 and parts[0] == "partners" and parts[2] == "tracking":
            return self.track(parts[1], body)
        return _json(404, {"error": {"code": "not_found", "message": f"No ops page route {method} /{path}."}})

    # --- the API, called as its users call it --------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        key: str | None = "admin",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = dict(headers or {})
        if key:
            sent["x-api-key"] = self.keys[key]
        if body:
            sent["Content-Type"] = "application/json"
        values = {name: [value] for name, value in (query or {}).items() if value}
        status, _, raw = self.emulator.handle(method, path, values, sent, body)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, {"error": {"code": "not_json", "message": raw.decode(errors="replace")}}

    def _partner_call(self, partner_id: str, method: str, path: str, query: dict[str, str], body: bytes = b"") -> Any:
        """A request signed as the partner signs it: with its current secret, read where OMS keeps it."""
        from oms.repository import secrets

        accepted = secrets.accepted(partner_id)
        if not accepted:
            return 404, {"error": {"code": "partner_not_found", "message": f"{partner_id} has no secret."}}
        signature = sign(accepted[0], body, int(time.time()))
        return self._call(method, path, query, body, key=None, headers={HEADER: signature})

    # --- views ---------------------------------------------------------------------------------------

    def orders(self, status: str | None, cursor: str | None) -> HttpResponse:
        query = {"limit": str(ORDERS_PAGE), "status": status or "", "cursor": cursor or ""}
        return _json(*self._call("GET", "/orders", query))

    def order(self, order_id: str) -> HttpResponse:
        status, order = self._call("GET", f"/orders/{quote(order_id, safe='')}", key="storefront")
        if status != 200:
            return _json(status, order)
        for shipment in order["shipments"]:
            shipment["moves"] = next_moves(shipment["status"])
        return _json(200, {"order": order, "execution": self._execution(order_id)})

    def _execution(self, order_id: str) -> dict[str, Any] | None:
        try:
            execution = self.stack.execution(order_id)
        except Exception as error:  # no execution yet (the order is still being accepted)
            if "ExecutionDoesNotExist" not in repr(error) and "does not exist" not in str(error).lower():
                raise
            return None
        states = execution["states"]
        waiting = states[-1] if execution["status"] == "RUNNING" and states else None
        title = f"The order's state machine, execution {execution['status'].lower()}"
        return {
            "status": execution["status"],
            "states": states,
            "waiting": waiting,
            "error": execution["error"],
            "svg": graph.svg(self.definition(), states, waiting, title),
        }

    def definition(self) -> dict[str, Any]:
        """The order state machine's ASL, as the template defines it and moto runs it."""
        if self._definition is None:
            described = self.stack.client("stepfunctions").describe_state_machine(
                stateMachineArn=self.stack.resources.state_machine_arn
            )
            self._definition = json.loads(described["definition"])
        return self._definition

    def inventory(self) -> HttpResponse:
        partners = self._partners()
        skus = []
        for product in self._products():
            status, stock = self._call("GET", f"/inventory/{quote(product['sku'], safe='')}")
            if status == 200:
                skus.append({**product, **stock})
        locations = [p["id"] for p in partners if p["kind"] in {kind.value for kind in LOCATION_KINDS}]
        return _json(200, {"skus": skus, "locations": locations})

    def receive(self, body: bytes) -> HttpResponse:
        return _json(*self._call("POST", "/inventory/receipts", body=body))

    def partners(self) -> HttpResponse:
        found = []
        for partner in self._partners():
            shipments = []
            for status in OPEN_SHIPMENTS:
                answered, page = self._partner_call(
                    partner["id"], "GET", f"/partners/{quote(partner['id'], safe='')}/shipments", {"status": status}
                )
                if answered == 200:
                    shipments += [{**s, "moves": next_moves(s["status"])} for s in page["shipments"]]
            found.append({**partner, "shipments": shipments})
        return _json(200, {"partners": found})

    def track(self, partner_id: str, body: bytes) -> HttpResponse:
        """A partner's update as the partner sends it: the page says which move, the event id and time are
        made here, and the body is signed with the partner's secret."""
        try:
            wanted = json.loads(body)
            move = {
                name: wanted.get(name) for name in ("shipment_id", "status", "carrier", "tracking_number", "reason")
            }
        except (ValueError, AttributeError):
            return _json(400, {"error": {"code": "validation_error", "message": "The body must be a JSON object."}})
        event = {
            "event_id": f"ops-{uuid.uuid4().hex}",
            **{name: value for name, value in move.items() if value not in (None, "")},
            "occurred_at": clock.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
        path = f"/partners/{quote(partner_id, safe='')}/tracking"
        return _json(*self._partner_call(partner_id, "POST", path, {}, json.dumps(event).encode()))

    def outbox(self) -> HttpResponse:
        emails = self.stack.outbox()[::-1][:OUTBOX_SHOWN]
        shown = [{k: v for k, v in email.items() if k not in ("html", "text")} for email in emails]
        return _json(200, {"emails": shown})

    def email(self, email_id: str) -> HttpResponse:
        found = next((email for email in self.stack.outbox() if email["id"] == email_id), None)
        if found is None:
            return _json(404, {"error": {"code": "not_found", "message": f"No email {email_id} in the outbox."}})
        return _json(200, found)

    def webhooks(self) -> HttpResponse:
        query = {"limit": str(WEBHOOKS_PAGE)}
        targets = []
        status, page = self._call("GET", "/storefront/webhooks", query)
        if status == 200:
            targets.append({"target": "storefront", "name": "Storefront", "attempts": page["attempts"]})
        for partner in self._partners():
            status, page = self._call("GET", f"/partners/{quote(partner['id'], safe='')}/webhooks", query)
            if status == 200:
                targets.append({"target": partner["id"], "name": partner["name"], "attempts": page["attempts"]})
        return _json(200, {"targets": targets})

    # --- the catalogue -------------------------------------------------------------------------------

    def _partners(self) -> list[dict[str, Any]]:
        from oms.repository import catalog

        return [partner.model_dump(mode="json") for partner in catalog.partners()]

    def _products(self) -> list[dict[str, Any]]:
        """Every product in the Catalog table; the API reads one product at a time and lists none."""
        from oms.records import Product
        from oms.repository.dynamo import db, from_item
        from oms.settings import settings

        found = []
        pages = db().get_paginator("scan").paginate(TableName=settings().catalog_table)
        for page in pages:
            for item in page["Items"]:
                record = from_item(item)
                if "sku" in record and "fulfillment" in record:
                    found.append(Product.model_validate(record).model_dump(mode="json"))
        return sorted(found, key=lambda product: product["sku"])
