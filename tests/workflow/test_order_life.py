"""The order's whole life on the synthesized state machine: placed, shipped, delivered, asked, rated."""

import re

from oms.repository import inventory
from tests.scenario import DAY, Scenario, feedback_fired


def _deliver(oms: Scenario, **order: object) -> tuple[str, str]:
    placed = oms.placed(**order)
    shipment_id = placed["shipments"][0]["shipment_id"]
    for status in ("ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED"):
        assert oms.track("main-warehouse", shipment_id, status).status == 202
    return placed["order_id"], shipment_id


def _feedback_token(oms: Scenario, order_id: str) -> str:
    [email] = oms.emails("feedback_request", order_id)
    match = re.search(r"/feedback/([A-Za-z0-9_\-\.]+)", email["text"])
    assert match, email["text"]
    return match.group(1)


def test_an_order_is_confirmed_and_sent_to_the_warehouse(oms: Scenario) -> None:
    order = oms.placed()

    assert order["status"] == "PROCESSING"
    assert [e["to"] for e in oms.emails("order_confirmed")] == [["ada@example.com"]]
    assert [e["to"] for e in oms.emails("fulfillment_request")] == [["pick@merchant.example"]]
    assert inventory.stock(["TEE-RED-M"])["TEE-RED-M"]["main-warehouse"]["reserved"] == 2
    history = oms.execution(order["order_id"])
    assert history["status"] == "RUNNING"


def test_shipping_tells_the_customer_with_tracking_and_takes_the_stock(oms: Scenario) -> None:
    order = oms.placed()
    shipment_id = order["shipments"][0]["shipment_id"]

    oms.track("main-warehouse", shipment_id, "ACCEPTED")
    oms.track("main-warehouse", shipment_id, "SHIPPED", carrier="Royal Mail", tracking_number="AB123456789GB")

    [shipped] = oms.emails("shipment_shipped")
    assert "AB123456789GB" in shipped["text"]
    assert "royalmail" in shipped["text"].lower()
    assert oms.order(order["order_id"])["status"] == "SHIPPED"
    assert inventory.stock(["TEE-RED-M"])["TEE-RED-M"]["main-warehouse"] == {
        "on_hand": 8,
        "reserved": 0,
        "available": 8,
    }


def test_delivery_ends_the_execution_and_feedback_is_asked_a_week_later(oms: Scenario) -> None:
    order_id, _ = _deliver(oms)

    assert len(oms.emails("shipment_delivered")) == 1
    assert oms.order(order_id)["status"] == "DELIVERED"
    assert oms.execution(order_id)["status"] == "SUCCEEDED"
    assert feedback_fired(oms.advance(6 * DAY)) == []
    assert oms.emails("feedback_request") == []

    fired = feedback_fired(oms.advance(1 * DAY + 60))

    assert fired == [f"feedback-{order_id}"]
    assert len(oms.emails("feedback_request", order_id)) == 1
    assert feedback_fired(oms.advance(30 * DAY)) == []


def test_an_order_shipped_abroad_waits_the_international_delay(oms: Scenario) -> None:
    address = {
        "name": "Marie Curie",
        "line1": "11 rue Pierre et Marie Curie",
        "line2": None,
        "city": "Paris",
        "region": None,
        "postal_code": "75005",
        "country": "FR",
    }
    order_id, _ = _deliver(oms, shipping_address=address)

    assert feedback_fired(oms.advance(8 * DAY)) == []
    assert feedback_fired(oms.advance(7 * DAY)) == [f"feedback-{order_id}"]


def test_without_delivery_feedback_is_asked_after_the_fallback(oms: Scenario) -> None:
    order = oms.placed()
    oms.track("main-warehouse", order["shipments"][0]["shipment_id"], "SHIPPED")

    assert feedback_fired(oms.advance(20 * DAY)) == []
    assert feedback_fired(oms.advance(2 * DAY)) == [f"feedback-{order['order_id']}"]


def test_the_customer_rates_the_order_once(oms: Scenario) -> None:
    order_id, _ = _deliver(oms)
    oms.advance(8 * DAY)
    token = _feedback_token(oms, order_id)

    page = oms.request("GET", f"/feedback/{token}", key=None)
    first = oms.request("POST", f"/feedback/{token}", {"rating": 4, "comment": "Lovely tee"}, key=None)
    again = oms.request("POST", f"/feedback/{token}", {"rating": 5}, key=None)

    assert page.status == 200 and b'name="rating"' in page.body
    assert first.status == 201
    assert (again.status, again.error_code) == (409, "feedback_exists")
    assert [t["type"] for t in oms.order(order_id)["timeline"]][-1] == "FeedbackReceived"


def test_the_feedback_form_is_accepted(oms: Scenario) -> None:
    order_id, _ = _deliver(oms)
    oms.advance(8 * DAY)
    token = _feedback_token(oms, order_id)

    reply = oms.request(
        "POST",
        f"/feedback/{token}",
        key=None,
        raw=b"rating=5&comment=Great",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert reply.status == 201
    assert b"Thank you" in reply.body


def test_a_tampered_feedback_token_is_invalid(oms: Scenario) -> None:
    order_id, _ = _deliver(oms)
    oms.advance(8 * DAY)
    token = _feedback_token(oms, order_id)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    page = oms.request("GET", f"/feedback/{tampered}", key=None)
    answer = oms.request("POST", f"/feedback/{tampered}", {"rating": 1}, key=None)

    assert page.status == 404
    assert (answer.status, answer.error_code) == (404, "invalid_token")


def test_an_expired_feedback_token_is_invalid(oms: Scenario) -> None:
    order_id, _ = _deliver(oms)
    oms.advance(8 * DAY)
    token = _feedback_token(oms, order_id)

    oms.advance(91 * DAY)
    answer = oms.request("POST", f"/feedback/{token}", {"rating": 3}, key=None)

    assert (answer.status, answer.error_code) == (404, "invalid_token")


def test_each_email_goes_once_per_order_kind_and_shipment(oms: Scenario) -> None:
    order_id, shipment_id = _deliver(oms)
    oms.advance(8 * DAY)

    oms.stack.invoke("notify", {"order_id": order_id, "shipment_id": shipment_id})
    oms.stack.invoke("followup", {"order_id": order_id})

    kinds = [e["kind"] for e in oms.emails(order_id=order_id)]
    assert sorted(kinds) == sorted(
        ["order_confirmed", "fulfillment_request", "shipment_shipped", "shipment_delivered", "feedback_request"]
    )


def test_a_step_that_cannot_finish_fails_the_order_and_releases_its_stock(oms: Scenario, monkeypatch) -> None:
    import oms.notifications.send as sending

    real = sending.recipient

    def unreachable_partner(kind, bundle, partner):  # type: ignore[no-untyped-def]
        if kind == "fulfillment_request":
            raise LookupError("the warehouse has no address on file")
        return real(kind, bundle, partner)

    monkeypatch.setattr(sending, "recipient", unreachable_partner)

    reply = oms.place()
    oms.settle()

    order = oms.order(reply.json["order_id"])
    assert order["status"] == "FAILED"
    assert order["timeline"][-1]["type"] in ("OrderFailed", "EmailSent")
    assert oms.execution(order["order_id"])["status"] == "FAILED"
    assert len(oms.emails("order_failed")) == 1
    assert inventory.stock(["TEE-RED-M"])["TEE-RED-M"]["main-warehouse"]["reserved"] == 0


def test_a_transient_failure_is_retried_with_backoff_and_the_email_goes_once(
    oms: Scenario, throttle_ses_once: list[str]
) -> None:
    from local import moto_fixes

    moto_fixes.clear_recorded_sleeps()

    order = oms.placed()

    assert len(throttle_ses_once) == len(oms.emails()) + 1  # one send throttled, then each email once
    assert len(oms.emails("order_confirmed")) == 1
    assert order["status"] == "PROCESSING"
    assert 2 in moto_fixes.recorded_sleeps()
    execution = oms.execution(order["order_id"])
    failed = [
        e["lambdaFunctionFailedEventDetails"] for e in execution["history"] if e["type"] == "LambdaFunctionFailed"
    ]
    assert [f["error"] for f in failed] == ["TransientError"]
    assert execution["status"] == "RUNNING"


def test_a_retried_post_makes_one_order_one_execution_one_email(oms: Scenario) -> None:
    first = oms.place()
    second = oms.place()
    oms.settle()

    assert second.status == 202
    assert second.json == first.json
    order_id = first.json["order_id"]
    executions = oms.stack.client("stepfunctions").list_executions(
        stateMachineArn=oms.stack.resources.state_machine_arn
    )["executions"]
    assert [e["name"] for e in executions] == [order_id]
    assert len(oms.emails("order_confirmed")) == 1
