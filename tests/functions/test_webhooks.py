"""Outgoing webhooks: partners' requests and the storefront's domain events go on the webhook queue with
stable ids; the deliverer signs them, and hands failures back to the queue with their backoff."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from oms import events
from oms.signatures import HEADER, verify
from tests.scenario import DEFAULT_SEED, Scenario, scenario

STOREFRONT_SECRET = "storefront-webhook-secret-0123456789"


class Receiver:
    """A webhook receiver on loopback that verifies each signature and answers `status`."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets  # path -> secret
        self.status = 200
        self.slow = threading.Event()
        self.stall = False
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                verify(receiver.secrets[self.path], raw, self.headers[HEADER], time.time())
                receiver.received.append(
                    {"path": self.path, "event_id": self.headers["X-OMS-Event-Id"], "body": json.loads(raw)}
                )
                if receiver.stall:
                    receiver.slow.wait(5)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self) -> None:
        self.slow.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    warehouse = next(p for p in DEFAULT_SEED["partners"] if p["id"] == "main-warehouse")
    found = Receiver({"/warehouse": warehouse["secret"], "/shop": STOREFRONT_SECRET})
    yield found
    found.close()


@pytest.fixture
def oms(template: dict[str, Any], receiver: Receiver) -> Iterator[Scenario]:
    seed = copy.deepcopy(DEFAULT_SEED)
    next(p for p in seed["partners"] if p["id"] == "main-warehouse")["webhook_url"] = f"{receiver.url}/warehouse"
    seed["settings"]["storefront_webhook_url"] = f"{receiver.url}/shop"
    seed["settings"]["storefront_webhook_secret"] = STOREFRONT_SECRET
    with scenario(template, seed, executions=False) as handlers:
        yield handlers


def _queue(oms: Scenario, logical_id: str = "WebhookQueue") -> str:
    return oms.stack.resources.queues[logical_id]


def _receive(oms: Scenario, logical_id: str = "WebhookQueue") -> list[dict[str, Any]]:
    """Every message now visible, as the event source mapping hands them to the deliverer."""
    sqs = oms.stack.client("sqs")
    records = []
    while True:
        found = sqs.receive_message(
            QueueUrl=_queue(oms, logical_id), MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        if not found:
            return records
        records += [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m["Attributes"],
            }
            for m in found
        ]


def _deliveries(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(record["body"]) for record in records]


def _partner_request(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if json.loads(r["body"])["target"] == "partner"]


def test_a_partners_request_goes_on_the_queue_with_the_same_event_id_on_every_run(oms: Scenario) -> None:
    order = oms.placed()
    shipment = order["shipments"][0]

    (message,) = _deliveries(_partner_request(_receive(oms)))

    event = message["event"]
    assert message["partner_id"] == "main-warehouse"
    assert event["type"] == "fulfillment_request"
    assert event["event_id"] == events.event_id(order["order_id"], "fulfillment_request", shipment["shipment_id"])
    assert event["shipment"]["lines"] == shipment["lines"]
    assert event["shipment"]["shipping_address"]["postal_code"] == order["shipping_address"]["postal_code"]


def test_a_delivery_answered_2xx_is_done_signed_and_recorded(oms: Scenario, receiver: Receiver) -> None:
    oms.placed()
    records = _partner_request(_receive(oms))

    answer = oms.stack.invoke("deliver_webhooks", {"Records": records})

    assert answer == {"batchItemFailures": []}
    (got,) = [r for r in receiver.received if r["path"] == "/warehouse"]
    assert got["event_id"] == got["body"]["event_id"]
    page = oms.request("GET", "/partners/main-warehouse/webhooks", key="admin").json
    (attempt,) = page["attempts"]
    assert (attempt["status"], attempt["attempt"], attempt["status_code"]) == ("delivered", 1, 200)
    assert attempt["event_id"] == got["event_id"] and attempt["next_attempt_at"] is None


def test_a_refused_delivery_is_handed_back_after_its_backoff(oms: Scenario, receiver: Receiver) -> None:
    oms.placed()
    receiver.status = 500
    records = _partner_request(_receive(oms))

    answer = oms.stack.invoke("deliver_webhooks", {"Records": records})

    assert answer == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    assert _partner_request(_receive(oms)) == []  # invisible until its backoff has passed
    (attempt,) = oms.request("GET", "/partners/main-warehouse/webhooks", key="admin").json["attempts"]
    assert (attempt["status"], attempt["status_code"], attempt["error"]) == ("retrying", 500, "HTTP 500")
    assert attempt["next_attempt_at"] > attempt["at"]


def test_the_retry_waits_the_backoff_of_its_attempt(oms: Scenario, receiver: Receiver) -> None:
    oms.placed()
    receiver.status = 503
    (record,) = _partner_request(_receive(oms))
    record["attributes"]["ApproximateReceiveCount"] = "4"

    oms.stack.invoke("deliver_webhooks", {"Records": [record]})

    (attempt,) = oms.request("GET", "/partners/main-warehouse/webhooks", key="admin").json["attempts"]
    assert attempt["attempt"] == 4
    waited = datetime.fromisoformat(attempt["next_attempt_at"]) - datetime.fromisoformat(attempt["at"])
    assert waited.total_seconds() == 240


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(
    oms: Scenario, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    oms.placed()
    receiver.stall = True
    monkeypatch.setattr("oms.delivery.TIMEOUT_SECONDS", 0.2)
    records = _partner_request(_receive(oms))

    answer = oms.stack.invoke("deliver_webhooks", {"Records": records})

    assert len(answer["batchItemFailures"]) == 1
    (attempt,) = oms.request("GET", "/partners/main-warehouse/webhooks", key="admin").json["attempts"]
    assert attempt["status"] == "retrying" and attempt["status_code"] is None
    assert "timed out" in attempt["error"]


def test_the_last_attempt_dead_letters_and_a_redrive_sends_it_back(oms: Scenario, receiver: Receiver) -> None:
    oms.placed()
    receiver.status = 500
    (record,) = _partner_request(_receive(oms))
    record["attributes"]["ApproximateReceiveCount"] = "12"

    oms.stack.invoke("deliver_webhooks", {"Records": [record]})

    (attempt,) = oms.request("GET", "/partners/main-warehouse/webhooks", key="admin").json["attempts"]
    assert attempt["status"] == "dead_lettered" and attempt["next_attempt_at"] is None
    sqs = oms.stack.client("sqs")
    sqs.send_message(QueueUrl=_queue(oms, "WebhookDeadLetterQueue"), MessageBody=record["body"])
    reply = oms.request("POST", "/webhooks/dead-letters/redrive", {}, key="admin")
    assert (reply.status, reply.json) == (200, {"redriven": 1})
    assert _receive(oms, "WebhookDeadLetterQueue") == []


def test_the_storefront_hears_the_orders_events_with_ids_from_their_causes(oms: Scenario, receiver: Receiver) -> None:
    order = oms.placed()
    order_id = order["order_id"]
    oms.stack.invoke("allocate", {"order_id": order_id})  # the step run again publishes the same ids

    shop = [d for d in _deliveries(_receive(oms)) if d["target"] == "storefront"]

    types = [d["event"]["type"] for d in shop]
    assert {"OrderAllocated", "ShipmentSent"} <= set(types)
    allocated = [d["event"]["event_id"] for d in shop if d["event"]["type"] == "OrderAllocated"]
    assert allocated[0] == events.event_id(order_id, "OrderAllocated", "round-1")
    assert len(set(allocated)) == 1
    text = json.dumps([d["event"]["detail"] for d in shop])
    for personal in ("ada@example.com", "Ada Lovelace", "SW1Y 4JH", "St James"):
        assert personal not in text


def test_a_storefront_delivery_is_signed_with_the_storefront_secret(oms: Scenario, receiver: Receiver) -> None:
    oms.placed()
    shop = [r for r in _receive(oms) if json.loads(r["body"])["target"] == "storefront"]

    answer = oms.stack.invoke("deliver_webhooks", {"Records": shop})

    assert answer == {"batchItemFailures": []}
    assert {r["path"] for r in receiver.received} == {"/shop"}
    page = oms.request("GET", "/storefront/webhooks?limit=1", key="admin").json
    assert len(page["attempts"]) == 1 and page["next_cursor"]
    following = oms.request("GET", f"/storefront/webhooks?limit=100&cursor={page['next_cursor']}", key="admin")
    assert len(following.json["attempts"]) == len(shop) - 1


def test_a_customers_cancellation_publishes_order_cancelled_and_tells_the_partner(oms: Scenario) -> None:
    order = oms.placed()
    _receive(oms)

    oms.request("POST", f"/orders/{order['order_id']}/cancel")

    deliveries = _deliveries(_receive(oms))
    (cancelled,) = [d["event"] for d in deliveries if d["event"]["type"] == "OrderCancelled"]
    assert cancelled["event_id"] == events.event_id(order["order_id"], "OrderCancelled")
    (request,) = [d["event"] for d in deliveries if d["event"]["type"] == "cancellation_request"]
    assert request["shipment"]["shipment_id"] == order["shipments"][0]["shipment_id"]


def test_an_order_cancelled_by_its_policy_publishes_order_cancelled(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": "TEE-RED-M", "quantity": 999}], backorder_policy="cancel_order")

    types = [d["event"]["type"] for d in _deliveries(_receive(oms))]

    assert order["status"] == "CANCELLED"
    assert "OrderCancelled" in types


def test_a_partners_update_is_published_under_an_id_from_the_update(oms: Scenario) -> None:
    order = oms.placed()
    shipment_id = order["shipments"][0]["shipment_id"]

    oms.track("main-warehouse", shipment_id, "SHIPPED", event_id="wh-77")

    shop = [d["event"] for d in _deliveries(_receive(oms)) if d["target"] == "storefront"]
    (shipped,) = [e for e in shop if e["type"] == "ShipmentShipped"]
    assert shipped["event_id"] == events.event_id(order["order_id"], "ShipmentShipped", f"{shipment_id}:wh-77")
    assert shipped["detail"]["tracking_number"] == "1Z999AA10123456784"


def test_a_rejection_that_leaves_nothing_to_ship_publishes_order_cancelled(oms: Scenario) -> None:
    order = oms.placed()

    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "REJECTED", reason="incorrect_address")

    shop = [d["event"] for d in _deliveries(_receive(oms)) if d["target"] == "storefront"]
    assert oms.order(order["order_id"])["status"] == "CANCELLED"
    (cancelled,) = [e for e in shop if e["type"] == "OrderCancelled"]
    assert cancelled["detail"] == {"by": "partner_rejection"}


def test_a_failed_order_publishes_order_failed_without_the_error_behind_it(oms: Scenario) -> None:
    order = oms.placed()
    cause = 'Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: secret-thing'

    for _ in range(2):
        oms.stack.invoke("compensate", {"order_id": order["order_id"], "error": {"Error": "KeyError", "Cause": cause}})

    shop = [d["event"] for d in _deliveries(_receive(oms)) if d["target"] == "storefront"]
    (failed,) = [e for e in shop if e["type"] == "OrderFailed"]
    assert failed["event_id"] == events.event_id(order["order_id"], "OrderFailed")
    assert "Traceback" not in json.dumps(failed) and "secret-thing" not in json.dumps(failed)


def test_a_cursor_of_another_target_is_refused(oms: Scenario) -> None:
    reply = oms.request("GET", "/partners/main-warehouse/webhooks?cursor=bm90LWEtY3Vyc29y", key="admin")

    assert reply.status == 400


def test_an_unknown_partner_has_no_webhooks(oms: Scenario) -> None:
    assert oms.request("GET", "/partners/ghost/webhooks", key="admin").status == 404
