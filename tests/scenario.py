"""A whole OMS on moto for tests: the synthesized template provisioned, the seed loaded, the API at hand.

Tests talk to it the way its users do: a storefront through the API (with its key), a partner with
signed tracking, a customer through the links in emails; time passes through the local clock.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from local.api.emulator import ApiEmulator
from local.cli import EXAMPLE_ORDER
from local.runtime.stack import LocalStack
from local.seed import api_key_kinds, read_seed, seeded_stack
from oms.models import Seed
from oms.signatures import HEADER, sign

DEFAULT_SEED = read_seed()
DAY = 24 * 3600

ORDER = EXAMPLE_ORDER


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        return str(self.json["error"]["code"])


def feedback_fired(advanced: dict[str, Any]) -> list[str]:
    """The feedback schedules an advance of the clock fired (partner deadlines fire too, and find nothing
    to do once the partner has moved on)."""
    return [name for name in advanced["fired"] if name.startswith("feedback-")]


@dataclass
class Scenario:
    stack: LocalStack
    seed: dict[str, Any]
    api: ApiEmulator
    # Off on the function tier: executions are recorded, never run; tests invoke the steps themselves.
    executions: bool = True
    _events: int = field(default=0)
    _rounds: int = field(default=0)

    # --- storefront -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = "storefront",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if key:
            sent.setdefault("x-api-key", self.seed["api_keys"][key])
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        if data and "content-type" not in {k.lower() for k in sent}:
            sent["Content-Type"] = "application/json"
        path, _, query = path.partition("?")
        params: dict[str, list[str]] = {}
        for pair in filter(None, query.split("&")):
            name, _, value = pair.partition("=")
            params.setdefault(name, []).append(value)
        status, reply_headers, reply_body = self.api.handle(method, path, params, sent, data)
        return Reply(status, reply_headers, reply_body)

    def place(self, **changes: Any) -> Reply:
        order = copy.deepcopy(ORDER)
        order.update(changes)
        return self.request("POST", "/orders", order)

    def order(self, order_id: str) -> dict[str, Any]:
        reply = self.request("GET", f"/orders/{order_id}")
        assert reply.status == 200, reply.body
        return dict(reply.json)

    # --- partners ---------------------------------------------------------------------------------

    def secret(self, partner_id: str) -> str:
        return next(p["secret"] for p in self.seed["partners"] if p["id"] == partner_id)

    def track(
        self,
        partner_id: str,
        shipment_id: str,
        status: str,
        *,
        event_id: str | None = None,
        secret: str | None = None,
        signed_at: int | None = None,
        **fields: Any,
    ) -> Reply:
        self._events += 1
        body = {
            "event_id": event_id or f"evt-{self._events}",
            "shipment_id": shipment_id,
            "status": status,
            "occurred_at": "2026-11-26T10:00:00Z",
            **fields,
        }
        if status == "SHIPPED":
            body.setdefault("carrier", "UPS")
            body.setdefault("tracking_number", "1Z999AA10123456784")
        raw = json.dumps(body).encode()
        signature = sign(secret or self.secret(partner_id), raw, signed_at or int(time.time()))
        reply = self.request(
            "POST",
            f"/partners/{partner_id}/tracking",
            key=None,
            raw=raw,
            headers={HEADER: signature, "Content-Type": "application/json"},
        )
        self.settle()
        return reply

    # --- time, mail, executions -------------------------------------------------------------------

    def settle(self) -> None:
        self.stack.settle()

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.stack.advance(seconds)

    def emails(self, kind: str | None = None, order_id: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.stack.outbox()
            if (kind is None or e["kind"] == kind) and (order_id is None or e["order_id"] == order_id)
        ]

    def execution(self, order_id: str) -> dict[str, Any]:
        return self.stack.execution(order_id)

    def placed(self, **changes: Any) -> dict[str, Any]:
        """Place an order and take it to where it waits on partners; the order as read back.

        On the workflow tier its execution runs; on the function tier each step's handler is
        invoked as the state machine would invoke it."""
        reply = self.place(**changes)
        assert reply.status == 202, reply.body
        order_id = reply.json["order_id"]
        if self.executions:
            self.settle()
        else:
            self.run_steps(order_id)
        return self.order(order_id)

    def run_steps(self, order_id: str) -> dict[str, Any]:
        """One allocation round as the state machine runs it, each step invoked directly: Allocate,
        NotifyOutcome, DispatchAndWait; the round's allocation."""
        allocation = dict(self.stack.invoke("allocate", {"order_id": order_id}))
        self.stack.invoke("notify", {"order_id": order_id, "kind": allocation["email"]})
        self._rounds += 1
        task = {
            "order_id": order_id,
            "shipment_ids": allocation["shipment_ids"],
            "task_token": f"token-{order_id}-{self._rounds}",
        }
        self.stack.invoke("dispatch", task)
        return allocation


@contextmanager
def scenario(
    template: dict[str, Any], seed: dict[str, Any] | None = None, *, executions: bool = True
) -> Iterator[Scenario]:
    """OMS on moto with the seed loaded; with `executions` off, handlers only (the function tier)."""
    seed = Seed.model_validate(copy.deepcopy(seed or DEFAULT_SEED)).model_dump(mode="json")
    running = seeded_stack(seed, "http://127.0.0.1:3000", template, sleep_mode="instant", executions=executions)
    with running as (stack, _):
        api = ApiEmulator(template, api_key_kinds(seed), stack.invoke)
        yield Scenario(stack=stack, seed=seed, api=api, executions=executions)
