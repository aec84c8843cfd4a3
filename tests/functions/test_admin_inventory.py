"""The admin API's stock routes: who may call them, receipts, stocktakes and the SKU's inventory."""

from typing import Any

import pytest

from tests.scenario import ORDER, Scenario

TEE = "TEE-RED-M"


def _inventory(oms: Scenario, sku: str = TEE) -> dict[str, Any]:
    reply = oms.request("GET", f"/inventory/{sku}", key="admin")
    assert reply.status == 200, reply.body
    return dict(reply.json)


def _at(view: dict[str, Any], location: str) -> dict[str, int]:
    return next(x for x in view["locations"] if x["location"] == location)


def _balanced(view: dict[str, Any]) -> None:
    for stock in view["locations"]:
        assert stock["on_hand"] == stock["available"] + stock["reserved"], stock


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/inventory/{TEE}", None),
        ("POST", "/inventory/receipts", {"sku": TEE, "location": "main-warehouse", "quantity": 1}),
        ("POST", "/inventory/adjustments", {"sku": TEE, "location": "main-warehouse", "on_hand": 1}),
        ("GET", f"/products/{TEE}", None),
        ("PUT", f"/products/{TEE}", {"sku": TEE, "name": "Red tee, M"}),
        ("GET", "/partners/main-warehouse", None),
    ],
)
def test_the_storefront_key_is_forbidden_on_admin_routes(
    oms: Scenario, method: str, path: str, body: dict[str, Any] | None
) -> None:
    reply = oms.request(method, path, body, key="storefront")

    assert reply.status == 403
    assert reply.error_code == "forbidden"
    assert _at(_inventory(oms), "main-warehouse")["on_hand"] == 10


def test_no_key_is_forbidden_on_admin_routes(oms: Scenario) -> None:
    reply = oms.request("GET", f"/inventory/{TEE}", key=None)

    assert (reply.status, reply.error_code) == (403, "forbidden")


def test_the_inventory_shows_each_location_and_nothing_backordered(oms: Scenario) -> None:
    view = _inventory(oms)

    assert view == {
        "sku": TEE,
        "locations": [
            {"location": "east-3pl", "on_hand": 5, "reserved": 0, "available": 5},
            {"location": "main-warehouse", "on_hand": 10, "reserved": 0, "available": 10},
        ],
        "backordered": 0,
    }


def test_a_drop_shipped_sku_has_no_locations(oms: Scenario) -> None:
    assert _inventory(oms, "DESK-OAK") == {"sku": "DESK-OAK", "locations": [], "backordered": 0}


def test_an_unknown_sku_has_no_inventory(oms: Scenario) -> None:
    reply = oms.request("GET", "/inventory/NO-SUCH-SKU", key="admin")

    assert (reply.status, reply.error_code) == (404, "unknown_sku")


def test_backordered_units_are_counted_from_the_orders_that_wait(oms: Scenario) -> None:
    oms.placed(lines=[{"sku": TEE, "quantity": 18}], external_ref="WAIT-1")
    oms.placed(lines=[{"sku": TEE, "quantity": 2}], external_ref="WAIT-2", backorder_policy="ship_complete")

    view = _inventory(oms)

    assert view["backordered"] == 3 + 2
    assert sum(x["reserved"] for x in view["locations"]) == 15
    _balanced(view)


def test_a_failed_order_holds_nothing_on_backorder(oms: Scenario) -> None:
    order = oms.placed(lines=[{"sku": TEE, "quantity": 16}])

    oms.stack.invoke("compensate", {"order_id": order["order_id"], "error": {"Error": "States.Timeout"}})

    view = _inventory(oms)
    assert view["backordered"] == 0
    assert sum(x["reserved"] for x in view["locations"]) == 0
    _balanced(view)


def test_a_receipt_adds_stock_without_touching_reservations(oms: Scenario) -> None:
    oms.placed(lines=[{"sku": TEE, "quantity": 4}])

    reply = oms.request(
        "POST", "/inventory/receipts", {"sku": TEE, "location": "main-warehouse", "quantity": 7}, key="admin"
    )

    assert reply.status == 200, reply.body
    assert _at(reply.json, "main-warehouse") == {"location": "main-warehouse", "on_hand": 17, "reserved": 4,
                                                 "available": 13}  # fmt: skip
    assert reply.json == _inventory(oms)
    _balanced(reply.json)


def test_a_receipt_at_a_new_location_starts_its_count(oms: Scenario) -> None:
    shoe = {"sku": "SHOE-42", "name": "Shoe, 42"}
    assert oms.request("PUT", "/products/SHOE-42", shoe, key="admin").status == 200

    reply = oms.request("POST", "/inventory/receipts", {"sku": "SHOE-42", "location": "east-3pl", "quantity": 3},
                        key="admin")  # fmt: skip

    assert reply.json["locations"] == [{"location": "east-3pl", "on_hand": 3, "reserved": 0, "available": 3}]


def test_a_retried_receipt_with_its_idempotency_key_adds_once(oms: Scenario) -> None:
    receipt = {"sku": TEE, "location": "east-3pl", "quantity": 5}
    key = {"Idempotency-Key": "receipt-0001"}

    first = oms.request("POST", "/inventory/receipts", receipt, key="admin", headers=key)
    again = oms.request("POST", "/inventory/receipts", receipt, key="admin", headers=key)
    other = oms.request("POST", "/inventory/receipts", {**receipt, "quantity": 6}, key="admin", headers=key)

    assert (first.status, again.status) == (200, 200)
    assert again.json == first.json
    assert _at(_inventory(oms), "east-3pl")["on_hand"] == 10
    assert (other.status, other.error_code) == (409, "idempotency_conflict")


def test_one_idempotency_key_on_a_receipt_and_an_order_keeps_them_apart(oms: Scenario) -> None:
    key = {"Idempotency-Key": "shared-0001"}

    receipt = oms.request("POST", "/inventory/receipts", {"sku": TEE, "location": "east-3pl", "quantity": 1},
                          key="admin", headers=key)  # fmt: skip
    order = oms.request("POST", "/orders", ORDER, headers=key)

    assert (receipt.status, order.status) == (200, 202)
    assert order.json["status"] == "PLACED"


@pytest.mark.parametrize("route", ["receipts", "adjustments"])
def test_stock_of_an_unknown_sku_is_not_found(oms: Scenario, route: str) -> None:
    count = {"quantity": 1} if route == "receipts" else {"on_hand": 1}

    reply = oms.request("POST", f"/inventory/{route}", {"sku": "NO-SUCH", "location": "east-3pl", **count},
                        key="admin")  # fmt: skip

    assert (reply.status, reply.error_code) == (404, "unknown_sku")


@pytest.mark.parametrize("location", ["acme-vendor", "nowhere"])
@pytest.mark.parametrize("route", ["receipts", "adjustments"])
def test_stock_lives_only_at_warehouses_and_third_parties(oms: Scenario, route: str, location: str) -> None:
    count = {"quantity": 1} if route == "receipts" else {"on_hand": 1}

    reply = oms.request("POST", f"/inventory/{route}", {"sku": TEE, "location": location, **count}, key="admin")

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "location"


def test_a_drop_shipped_sku_takes_no_stock(oms: Scenario) -> None:
    reply = oms.request(
        "POST", "/inventory/receipts", {"sku": "DESK-OAK", "location": "east-3pl", "quantity": 1}, key="admin"
    )

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "sku"


def test_a_stocktake_sets_the_count_and_keeps_reservations(oms: Scenario) -> None:
    oms.placed(lines=[{"sku": TEE, "quantity": 4}])

    reply = oms.request(
        "POST", "/inventory/adjustments", {"sku": TEE, "location": "main-warehouse", "on_hand": 6}, key="admin"
    )

    assert reply.status == 200, reply.body
    assert _at(reply.json, "main-warehouse") == {"location": "main-warehouse", "on_hand": 6, "reserved": 4,
                                                 "available": 2}  # fmt: skip
    _balanced(reply.json)


def test_a_stocktake_below_what_is_reserved_is_refused(oms: Scenario) -> None:
    oms.placed(lines=[{"sku": TEE, "quantity": 4}])

    reply = oms.request(
        "POST", "/inventory/adjustments", {"sku": TEE, "location": "main-warehouse", "on_hand": 3}, key="admin"
    )

    assert (reply.status, reply.error_code) == (409, "below_reserved")
    assert _at(_inventory(oms), "main-warehouse") == {"location": "main-warehouse", "on_hand": 10, "reserved": 4,
                                                      "available": 6}  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"sku": TEE, "location": "east-3pl", "quantity": 0},
        {"sku": TEE, "location": "east-3pl", "quantity": "3"},
        {"sku": TEE, "location": "east-3pl"},
        {"sku": TEE, "location": "east-3pl", "quantity": 1, "note": "x"},
    ],
)
def test_an_invalid_receipt_names_its_fields(oms: Scenario, body: dict[str, Any]) -> None:
    reply = oms.request("POST", "/inventory/receipts", body, key="admin")

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert reply.json["error"]["details"]
