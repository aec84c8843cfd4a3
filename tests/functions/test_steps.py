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


def test_a_request_recorded_first_by_a_run_alongside_keeps_the_email_entry_of_the_run_that_sent_it(
    oms: Scenario,
) -> None:
    from local.faults import before_transaction, conditioned_on
    from oms.fulfilment.dispatch import dispatch

    order_id = oms.place().json["order_id"]
    allocation = oms.stack.invoke("allocate", {"order_id": order_id})
    shipment_ids = allocation["shipment_ids"]

    # A second run of the step gets in after this one sent the email and before it records the request:
    # it finds the email sent and records the request itself.
    alongside = before_transaction(
        conditioned_on("requested_at"), lambda: dispatch(order_id, shipment_ids, f"token-{order_id}-alongside")
    )
    with alongside as writer:
        oms.stack.invoke("dispatch", {"order_id": order_id, "shipment_ids": shipment_ids, "task_token": "token-1"})

    assert writer.ran
    timeline = oms.order(order_id)["timeline"]
    assert [e["type"] for e in timeline].count("ShipmentSent") == 1
    assert [e["detail"].get("kind") for e in timeline if e["type"] == "EmailSent"] == ["fulfillment_request"]
    assert len(oms.emails("fulfillment_request", order_id)) == 1


def test_timeline_entries_of_one_write_read_back_in_the_order_they_were_made(oms: Scenario) -> None:
    from oms import clock
    from oms.repository import orders as repo

    order_id = oms.place().json["order_id"]
    made = [(f"Entry{n}", {"n": n}) for n in range(12)]

    for _ in range(5):  # each write's entries share one time; their nonces are random
        repo.append_events(order_id, made[:6])
        clock.advance(0.001)  # the next write a millisecond on
        repo.append_events(order_id, made[6:])
        clock.advance(0.001)

    order = repo.load(order_id)
    assert order is not None
    kinds = [e.event_type for e in order.timeline if e.event_type.startswith("Entry")]
    assert kinds == [kind for kind, _ in made] * 5
