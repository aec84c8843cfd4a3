"""State-machine steps invoked as Lambda would be: retried steps change nothing twice."""

from tests.scenario import Scenario


def test_a_retried_notify_sends_the_email_once(oms: Scenario) -> None:
    order = oms.placed()
    before = len(oms.emails("order_confirmed"))

    oms.stack.invoke("notify", {"order_id": order["order_id"], "kind": "order_confirmed"})
    oms.stack.invoke("notify", {"order_id": order["order_id"], "kind": "order_confirmed"})

    assert before == 1
    assert len(oms.emails("order_confirmed")) == 1


def test_a_retried_allocate_reserves_once_and_answers_the_same(oms: Scenario) -> None:
    from oms.repository import inventory

    order_id = oms.place().json["order_id"]

    first = oms.stack.invoke("allocate", {"order_id": order_id})
    again = oms.stack.invoke("allocate", {"order_id": order_id})

    assert again == first
    assert again["shipment_ids"] == [f"{order_id}-S1"]
    assert inventory.stock(["TEE-RED-M"])["TEE-RED-M"]["main-warehouse"] == {
        "on_hand": 10,
        "reserved": 2,
        "available": 8,
    }


def test_every_email_has_a_text_and_an_html_part_and_names_its_kind(oms: Scenario) -> None:
    order = oms.placed()

    emails = oms.emails(order_id=order["order_id"])

    assert {e["kind"] for e in emails} == {"order_confirmed", "fulfillment_request"}
    for email in emails:
        assert email["text"].strip() and email["html"].strip()
    request = next(e for e in emails if e["kind"] == "fulfillment_request")
    assert request["to"] == ["pick@merchant.example"]
    assert "SW1Y 4JH" in request["text"]
