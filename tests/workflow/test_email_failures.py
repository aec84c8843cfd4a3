"""What SES's answer means for an order: a message or recipient it refuses is undeliverable and the order
goes on; SES refusing every email fails loudly (a throttled send: test_order_life.py)."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest

from local.mail_faults import ses_refuses
from tests.scenario import Scenario
from tests.workflow.test_fulfilment_rounds import stock

REFUSED = "no-such-mailbox@example.com"
CUSTOMER = {"email": REFUSED, "name": "Ada Lovelace"}


def undeliverable(order: dict[str, Any]) -> list[tuple[str, str]]:
    entries = [e["detail"] for e in order["timeline"] if e["type"] == "EmailUndeliverable"]
    return [(detail["kind"], detail["reason"]) for detail in entries]


def sent_kinds(order: dict[str, Any]) -> list[str]:
    return [e["detail"]["kind"] for e in order["timeline"] if e["type"] == "EmailSent"]


@pytest.mark.parametrize(
    ("code", "reason"), [("MessageRejected", "message_rejected"), ("BadRequestException", "address_refused")]
)
def test_an_email_ses_refuses_is_recorded_as_undeliverable_and_the_order_goes_on(
    oms: Scenario, counted: list[str], code: str, reason: str
) -> None:
    with ses_refuses(REFUSED, code=code) as refusal:
        placed = oms.placed(customer=CUSTOMER)
        shipped = oms.track("main-warehouse", placed["shipments"][0]["shipment_id"], "SHIPPED")
    order = oms.order(placed["order_id"])

    assert (placed["status"], shipped.status, order["status"]) == ("PROCESSING", 202, "SHIPPED")
    assert undeliverable(order) == [("order_confirmed", reason), ("shipment_shipped", reason)]
    first = next(e for e in order["timeline"] if e["type"] == "EmailUndeliverable")
    assert first["detail"] == {"kind": "order_confirmed", "to": REFUSED, "shipment_id": None, "reason": reason}
    assert sent_kinds(order) == ["fulfillment_request"]
    assert [e["to"] for e in oms.emails(order_id=order["order_id"])] == [["pick@merchant.example"]]
    assert refusal.refused == [[REFUSED], [REFUSED]]
    assert counted.count("EmailsUndeliverable") == 2
    assert oms.execution(order["order_id"])["status"] == "RUNNING"


def test_an_undeliverable_email_keeps_its_mark_so_no_retry_asks_ses_again(oms: Scenario) -> None:
    with ses_refuses(REFUSED) as refusal:
        order = oms.placed(customer=CUSTOMER)
        again = oms.stack.invoke("notify", {"order_id": order["order_id"], "kind": "order_confirmed"})

    assert again == {"sent": []}
    assert refusal.refused == [[REFUSED]]
    assert undeliverable(oms.order(order["order_id"])) == [("order_confirmed", "message_rejected")]


def test_a_partner_request_ses_refuses_leaves_the_shipment_for_the_partner_to_collect(oms: Scenario) -> None:
    with ses_refuses("pick@merchant.example"):
        order = oms.placed()

    shipment_id = order["shipments"][0]["shipment_id"]
    assert order["status"] == "PROCESSING"
    assert undeliverable(order) == [("fulfillment_request", "message_rejected")]
    assert "ShipmentSent" in [e["type"] for e in order["timeline"]]
    assert oms.track("main-warehouse", shipment_id, "ACCEPTED").status == 202


def test_an_internationalised_domain_is_mailed_in_its_ascii_form(oms: Scenario) -> None:
    order = oms.placed(customer={"email": "ada@bücher.de", "name": "Ada"})

    [confirmed] = oms.emails("order_confirmed", order["order_id"])
    assert confirmed["to"] == ["ada@xn--bcher-kva.de"]


def _suspend_sending(oms: Scenario) -> Any:
    return ses_refuses(code="AccountSuspendedException")


def _unverify_sender(oms: Scenario) -> Any:
    # moto itself refuses a sender that is not a verified identity, naming it, as SES does.
    oms.stack.client("sesv2").delete_email_identity(EmailIdentity=oms.seed["settings"]["sender"])
    return nullcontext()


@pytest.mark.parametrize("break_ses", [_suspend_sending, _unverify_sender], ids=["suspended", "sender unverified"])
def test_ses_refusing_every_email_fails_the_order_loudly(oms: Scenario, counted: list[str], break_ses: Any) -> None:
    before = stock(oms, "TEE-RED-M")

    with break_ses(oms):
        order = oms.placed()

    assert order["status"] == "FAILED"
    assert [e["detail"] for e in order["timeline"] if e["type"] == "OrderFailed"] == [{"reason": "email_unavailable"}]
    assert undeliverable(order) == []
    assert stock(oms, "TEE-RED-M") == before
    assert oms.emails(order_id=order["order_id"]) == []
    assert counted.count("OrdersFailed") == 1
    assert counted.count("EmailConfigurationFaults") >= 2
    # Even order_failed could not go: the execution fails with the cause, not at OrderFailed.
    execution = oms.execution(order["order_id"])
    assert (execution["status"], execution["error"]) == ("FAILED", "EmailConfigurationError")
