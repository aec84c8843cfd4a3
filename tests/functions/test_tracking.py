"""POST /partners/{partner_id}/tracking: who may send it, and what applies."""

import time

from tests.scenario import Scenario


def _shipment(oms: Scenario) -> str:
    return str(oms.placed()["shipments"][0]["shipment_id"])


def test_an_unsigned_update_is_refused(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    reply = oms.request(
        "POST",
        "/partners/main-warehouse/tracking",
        key=None,
        body={
            "event_id": "e1",
            "shipment_id": shipment_id,
            "status": "ACCEPTED",
            "occurred_at": "2026-11-26T10:00:00Z",
        },
    )

    assert reply.status == 401
    assert reply.error_code == "invalid_signature"


def test_a_wrongly_signed_update_is_refused(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    reply = oms.track("main-warehouse", shipment_id, "ACCEPTED", secret="not-the-partners-secret-at-all")

    assert reply.status == 401


def test_a_stale_signature_is_refused(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    reply = oms.track("main-warehouse", shipment_id, "ACCEPTED", signed_at=int(time.time()) - 301)

    assert reply.status == 401


def test_an_unknown_partner_is_refused(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    reply = oms.track("ghost-partner", shipment_id, "ACCEPTED", secret="whatever-secret-0123456789")

    assert reply.status == 401
    assert reply.error_code == "invalid_signature"


def test_another_partners_shipment_is_not_found(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    reply = oms.track("east-3pl", shipment_id, "ACCEPTED")

    assert reply.status == 404
    assert reply.error_code == "shipment_not_found"


def test_an_invalid_update_names_the_fields(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    no_tracking = oms.track("main-warehouse", shipment_id, "SHIPPED", carrier=None, tracking_number=None)
    bad_status = oms.track("main-warehouse", shipment_id, "LOST")

    assert (no_tracking.status, bad_status.status) == (400, 400)
    assert bad_status.json["error"]["details"][0]["field"] == "status"


def test_a_repeated_event_applies_once(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    first = oms.track("main-warehouse", shipment_id, "ACCEPTED", event_id="evt-1")
    again = oms.track("main-warehouse", shipment_id, "ACCEPTED", event_id="evt-1")

    assert (first.status, first.json) == (202, {"applied": True})
    assert (again.status, again.json) == (200, {"applied": False})


def test_a_backward_move_changes_nothing(oms: Scenario) -> None:
    shipment_id = _shipment(oms)
    oms.track("main-warehouse", shipment_id, "SHIPPED")

    reply = oms.track("main-warehouse", shipment_id, "ACCEPTED")

    assert (reply.status, reply.json) == (200, {"applied": False})
    order = oms.order(shipment_id.rsplit("-S", 1)[0])
    assert order["shipments"][0]["status"] == "SHIPPED"


def test_a_tracking_url_is_built_from_the_carrier(oms: Scenario) -> None:
    shipment_id = _shipment(oms)

    oms.track("main-warehouse", shipment_id, "SHIPPED", carrier="ups", tracking_number="1Z999AA10123456784")

    shipment = oms.order(shipment_id.rsplit("-S", 1)[0])["shipments"][0]
    assert shipment["tracking_url"] and "1Z999AA10123456784" in shipment["tracking_url"]


def test_a_partner_lists_its_sent_shipments(oms: Scenario) -> None:
    from oms.signatures import HEADER, sign

    shipment_id = _shipment(oms)
    signature = sign(oms.secret("main-warehouse"), b"", int(time.time()))

    reply = oms.request("GET", "/partners/main-warehouse/shipments?status=SENT", key=None, headers={HEADER: signature})

    assert reply.status == 200
    [listed] = reply.json["shipments"]
    assert listed["shipment_id"] == shipment_id
    assert listed["shipping_address"]["postal_code"] == "SW1Y 4JH"
