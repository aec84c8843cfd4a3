"""Every AWS call a handler makes is one its role allows.

moto never checks IAM, so a call the role lacks would pass every other test and fail on AWS with
AccessDenied. Here orders of every kind (the chaos story's, told cleanly), admin calls, a feedback answer,
the storefront's webhooks and one order that fails and is compensated run on the local stack, reaching every
function, while a botocore hook records, for each handler run, the IAM action each call needs and, for
DynamoDB, the table; each must be granted to that function's role in the synthesized template.
tests/infra/test_stack_iam.py checks the other way: a role has no action its code does not call.
"""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from local.runtime import invocations
from oms import aws
from tests.chaos_story import Shop, story_seed, tell
from tests.infra.test_stack_functions import FOLDERS
from tests.scenario import scenario

ORDERS = 30
# A transaction is authorised item by item, as the item's own write.
TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}

Call = tuple[str, str, str | None]  # (function logical id, IAM action, table or None)
_calls: set[Call] | None = None
_UNIQUE_ID = "oms-tests-granted-calls"


def _actions(model: Any, params: dict[str, Any]) -> list[tuple[str, str | None]]:
    prefix = model.service_model.signing_name  # sesv2 signs as "ses", stepfunctions as "states"
    body = json.loads(params.get("body") or b"{}") if model.service_model.protocol in ("json", "rest-json") else {}
    if model.name == "TransactWriteItems":
        return [
            (f"dynamodb:{TRANSACT_ITEM_ACTIONS[kind]}", item[kind]["TableName"])
            for item in body["TransactItems"]
            for kind in item
        ]
    if model.name == "BatchGetItem":
        return [("dynamodb:BatchGetItem", table) for table in body["RequestItems"]]
    if prefix == "scheduler" and "RoleArn" in body.get("Target", {}):
        # The schedule runs as the scheduler role: setting it passes that role.
        return [(f"scheduler:{model.name}", None), ("iam:PassRole", None)]
    return [(f"{prefix}:{model.name}", body.get("TableName") if prefix == "dynamodb" else None)]


def _record(model: Any, params: dict[str, Any], **_: Any) -> None:
    invocation = invocations.current()
    if _calls is not None and invocation is not None:
        _calls.update((invocation.function, action, table) for action, table in _actions(model, params))


@contextmanager
def recording() -> Iterator[set[Call]]:
    """Record the handlers' AWS calls made by clients created while this is open (the local stack makes its
    clients anew when it starts). The hook goes on the one session the handlers' clients come from: it may
    exist already, and a session copies botocore's built-in handlers only when it is made."""
    global _calls
    _calls = set()
    events = aws._session().get_component("event_emitter")  # noqa: SLF001 - the session is oms.aws's own
    events.register("before-call", _record, unique_id=_UNIQUE_ID)
    try:
        yield _calls
    finally:
        events.unregister("before-call", unique_id=_UNIQUE_ID)
        _calls = None


def _table(resource: Any) -> str | None:
    """The table a grant's resource names: `<Table>.Arn`, or its indexes' `<Table>.Arn/index/*`."""
    match = re.match(r"^\{'Fn::GetAtt': \['(\w+Table)', 'Arn'\]\}$", str(resource))
    if match:
        return match.group(1)
    parts = resource.get("Fn::Join", ["", []])[1] if isinstance(resource, dict) else []
    return _table(parts[0]) if len(parts) == 2 and parts[1] == "/index/*" else None


def _granted(template: dict[str, Any], function: str) -> set[tuple[str, str | None]]:
    """(action, table or None) the function's role allows; a table grant covers its indexes."""
    role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    granted: set[tuple[str, str | None]] = set()
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy" or {"Ref": role} not in resource["Properties"]["Roles"]:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
            targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for action in actions:
                granted.add((action, None))
                granted.update((action, table) for table in map(_table, targets) if table)
    return granted


class _Accepting(BaseHTTPRequestHandler):
    """A webhook receiver that takes everything."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def storefront() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Accepting)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


class _Broken(Exception):
    """A failure no retry mends, so the order is compensated."""


def _fail_allocation_once(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = importlib.import_module("allocate.handler")
    real, failed = handler.allocate_order, []

    def once(order_id: str, *args: Any) -> Any:
        if not failed:
            failed.append(order_id)
            raise _Broken("allocation broke for good")
        return real(order_id, *args)

    monkeypatch.setattr(handler, "allocate_order", once)


@pytest.mark.xdist_group("chaos")
def test_every_call_a_handler_makes_is_granted_to_its_role(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = story_seed()
    with storefront() as url, recording() as calls:
        seed["settings"]["storefront_webhook_url"] = url
        with scenario(template, seed, executions=True) as oms:
            shop = Shop(oms)
            tell(shop, ORDERS)
            order_id = next(iter(shop.refs))
            partner = {**oms.seed["partners"][1], "secret": "a-new-secret-of-thirty-two-chars"}
            [feedback, *_] = oms.emails("feedback_request")
            token = re.search(r"/feedback/([A-Za-z0-9_\-\.]+)", feedback["text"])
            assert token
            replies = [
                shop.call("GET", f"/orders/{order_id}"),
                shop.call("GET", "/orders", key="admin"),
                shop.call("PUT", f"/partners/{partner['id']}", partner, key="admin"),
                shop.call("POST", "/webhooks/dead-letters/redrive", {}, key="admin"),
                shop.call("POST", f"/feedback/{token.group(1)}", {"rating": 5}, key=None),
            ]
            _fail_allocation_once(monkeypatch)
            failed = shop.place("granted-calls-failed", [{"sku": "STORY-A", "quantity": 1}])
            oms.settle()
            assert shop.order(failed)["status"] == "FAILED"

    functions = {function for function, _, _ in calls}
    missing = sorted(
        (function, action, table)
        for function, action, table in calls
        if (action, table) not in _granted(template, function)
    )

    assert [reply.status for reply in replies] == [200, 200, 200, 200, 201]
    assert missing == []
    assert functions == {"".join(part.capitalize() for part in folder.split("_")) + "Function" for folder in FOLDERS}
    assert {action for _, action, _ in calls} >= {
        "ses:SendEmail",
        "iam:PassRole",
        "sqs:ReceiveMessage",
        "secretsmanager:PutSecretValue",
        "states:StartExecution",
    }
