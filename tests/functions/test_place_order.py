"""POST /orders and GET /orders/{order_id}: acceptance, validation, retries."""

from tests.scenario import ORDER, Scenario


def test_an_order_is_accepted_with_its_location(oms: Scenario) -> None:
    reply = oms.place()

    assert reply.status == 202
    assert reply.json["status"] == "PLACED"
    assert reply.headers["Location"] == f"/orders/{reply.json['order_id']}"


def test_an_invalid_body_names_every_bad_field(oms: Scenario) -> None:
    reply = oms.place(
        lines=[{"sku": "TEE-RED-M", "quantity": 0}],
        customer={"email": "not-an-address", "name": "Ada"},
        shipping_address={**ORDER["shipping_address"], "country": "XX"},
    )

    assert reply.status == 400
    assert reply.error_code == "validation_error"
    fields = {d["field"] for d in reply.json["error"]["details"]}
    assert {"lines[0].quantity", "customer.email", "shipping_address.country"} <= fields


def test_a_missing_field_is_named(oms: Scenario) -> None:
    order = {k: v for k, v in ORDER.items() if k != "external_ref"}

    reply = oms.request("POST", "/orders", order)

    assert reply.status == 400
    assert [d["field"] for d in reply.json["error"]["details"]] == ["external_ref"]


def test_a_sku_twice_or_no_lines_is_invalid(oms: Scenario) -> None:
    twice = oms.place(lines=[{"sku": "TEE-RED-M", "quantity": 1}, {"sku": "TEE-RED-M", "quantity": 2}])
    empty = oms.place(lines=[])

    assert (twice.status, empty.status) == (400, 400)
    assert twice.json["error"]["details"][0]["field"] == "lines"


def test_malformed_json_is_a_validation_error(oms: Scenario) -> None:
    reply = oms.request("POST", "/orders", raw=b'{"external_ref": "SHOP-1",')

    assert reply.status == 400
    assert reply.error_code == "validation_error"


def test_unknown_skus_are_named(oms: Scenario) -> None:
    reply = oms.place(lines=[{"sku": "TEE-RED-M", "quantity": 1}, {"sku": "NOPE-1", "quantity": 1}])

    assert reply.status == 422
    assert reply.error_code == "unknown_sku"
    assert [d["sku"] for d in reply.json["error"]["details"]] == ["NOPE-1"]


def test_the_same_external_ref_with_another_body_is_a_conflict(oms: Scenario) -> None:
    first = oms.place()

    reply = oms.place(lines=[{"sku": "TEE-RED-M", "quantity": 3}])

    assert reply.status == 409
    assert reply.error_code == "idempotency_conflict"
    assert reply.json["error"]["details"][0]["order_id"] == first.json["order_id"]


def test_an_idempotency_key_answers_the_same_and_refuses_another_body(oms: Scenario) -> None:
    key = {"Idempotency-Key": "retry-7f3a"}
    first = oms.request("POST", "/orders", ORDER, headers=key)
    again = oms.request("POST", "/orders", ORDER, headers=key)
    other = oms.request("POST", "/orders", {**ORDER, "external_ref": "SHOP-2"}, headers=key)

    assert (first.status, again.status) == (202, 202)
    assert again.json == first.json
    assert other.status == 409
    assert other.error_code == "idempotency_conflict"


def test_an_unknown_order_is_order_not_found(oms: Scenario) -> None:
    reply = oms.request("GET", "/orders/ORD-00000000000000000000000000")

    assert reply.status == 404
    assert reply.error_code == "order_not_found"


def test_an_order_reads_back_as_the_contract_shows_it(oms: Scenario) -> None:
    order = oms.placed()

    assert order["external_ref"] == "SHOP-10023"
    assert order["status"] == "PROCESSING"
    assert order["lines"] == [
        {
            "sku": "TEE-RED-M",
            "quantity": 2,
            "allocated": 2,
            "backordered": 0,
            "cancelled": 0,
            "shipped": 0,
            "delivered": 0,
        }
    ]
    [shipment] = order["shipments"]
    assert (shipment["partner_id"], shipment["kind"], shipment["status"]) == ("main-warehouse", "WAREHOUSE", "SENT")
    assert [t["type"] for t in order["timeline"]][:2] == ["OrderPlaced", "OrderAllocated"]
