"""GET /orders: the order list, newest first, by status and by partner, for the admin key only."""

from typing import Any

import pytest

from local.faults import conflicting_updates
from local.meter import meter
from oms.repository.dynamo import RETRY_ATTEMPTS
from tests.scenario import Reply, Scenario

TEE = "TEE-RED-M"


def _list(oms: Scenario, query: str = "", key: str = "admin") -> Reply:
    return oms.request("GET", f"/orders?{query}" if query else "/orders", key=key)


def _listed(oms: Scenario, query: str = "") -> list[dict[str, Any]]:
    """Every order the list has for `query`, page after page."""
    orders: list[dict[str, Any]] = []
    cursor = None
    while True:
        reply = _list(oms, "&".join(filter(None, [query, f"cursor={cursor}" if cursor else ""])))
        assert reply.status == 200, reply.body
        orders += reply.json["orders"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return orders


def _ids(oms: Scenario, query: str = "") -> list[str]:
    return [order["order_id"] for order in _listed(oms, query)]


def _placed(oms: Scenario, ref: str, quantity: int = 1, sku: str = TEE, **changes: Any) -> dict[str, Any]:
    """An order allocated and sent to its partners, placed a second after the one before."""
    oms.advance(1)
    return oms.placed(external_ref=ref, lines=[{"sku": sku, "quantity": quantity}], **changes)


def _shipment_at(order: dict[str, Any], partner_id: str) -> str:
    return str(next(s["shipment_id"] for s in order["shipments"] if s["partner_id"] == partner_id))


def test_orders_are_listed_newest_first_as_their_own_view_shows_them(oms: Scenario) -> None:
    first, second, third = (_placed(oms, f"SHOP-{n}") for n in range(3))
    oms.track("main-warehouse", _shipment_at(second, "main-warehouse"), "SHIPPED")

    listed = _listed(oms)

    assert [o["order_id"] for o in listed] == [third["order_id"], second["order_id"], first["order_id"]]
    for summary in listed:
        order = oms.order(summary["order_id"])
        # Emails sent since the order last moved change the order's updated_at, not the list's.
        assert order["created_at"] < summary["updated_at"] <= order["updated_at"]
        assert {k: v for k, v in summary.items() if k != "updated_at"} == {
            "order_id": order["order_id"],
            "external_ref": order["external_ref"],
            "status": order["status"],
            "customer": order["customer"],
            "created_at": order["created_at"],
            "shipments": 1,
            "partner_ids": ["main-warehouse"],
        }
    assert [o["status"] for o in listed] == ["PROCESSING", "SHIPPED", "PROCESSING"]


def test_a_new_order_is_listed_as_placed_before_it_is_allocated(oms: Scenario) -> None:
    placed = oms.place(external_ref="SHOP-NEW")

    [listed] = _listed(oms)

    assert placed.status == 202
    assert (listed["order_id"], listed["status"]) == (placed.json["order_id"], "PLACED")
    assert (listed["shipments"], listed["partner_ids"]) == (0, [])


def test_the_status_filter_follows_each_order_as_it_moves(oms: Scenario) -> None:
    moving, waiting = _placed(oms, "SHOP-1"), _placed(oms, "SHOP-2")
    held = _placed(oms, "SHOP-3", quantity=20, backorder_policy="ship_complete")
    shipment_id = _shipment_at(moving, "main-warehouse")

    oms.track("main-warehouse", shipment_id, "SHIPPED")
    shipped = _ids(oms, "status=SHIPPED")
    oms.track("main-warehouse", shipment_id, "DELIVERED")

    assert shipped == [moving["order_id"]]
    assert _ids(oms, "status=SHIPPED") == []
    assert _ids(oms, "status=DELIVERED") == [moving["order_id"]]
    assert _ids(oms, "status=PROCESSING") == [waiting["order_id"]]
    assert _ids(oms, "status=BACKORDERED") == [held["order_id"]]
    assert _ids(oms, "status=PLACED") == []


def test_the_partner_filter_lists_orders_with_a_shipment_there(oms: Scenario) -> None:
    local = _placed(oms, "SHOP-LOCAL")
    split = _placed(oms, "SHOP-SPLIT", quantity=12)
    dropship = _placed(oms, "SHOP-DESK", sku="DESK-OAK")

    assert _ids(oms, "partner_id=main-warehouse") == [split["order_id"], local["order_id"]]
    assert _ids(oms, "partner_id=east-3pl") == [split["order_id"]]
    assert _ids(oms, "partner_id=acme-vendor") == [dropship["order_id"]]
    assert _ids(oms, "partner_id=nobody") == []
    assert _listed(oms, "partner_id=east-3pl")[0]["partner_ids"] == ["main-warehouse", "east-3pl"]


def test_status_and_partner_filters_combine(oms: Scenario) -> None:
    local = _placed(oms, "SHOP-LOCAL")
    split = _placed(oms, "SHOP-SPLIT", quantity=12)

    oms.track("east-3pl", _shipment_at(split, "east-3pl"), "SHIPPED")

    assert _ids(oms, "status=PARTIALLY_SHIPPED&partner_id=main-warehouse") == [split["order_id"]]
    assert _ids(oms, "status=PROCESSING&partner_id=main-warehouse") == [local["order_id"]]
    assert _ids(oms, "status=PROCESSING&partner_id=east-3pl") == []


def test_pages_follow_the_next_cursor_to_the_last_order(oms: Scenario) -> None:
    placed = [_placed(oms, f"SHOP-{n}")["order_id"] for n in range(5)]

    pages, cursor = [], None
    while True:
        reply = _list(oms, "limit=2" + (f"&cursor={cursor}" if cursor else ""))
        pages.append([o["order_id"] for o in reply.json["orders"]])
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [order_id for page in pages for order_id in page] == placed[::-1]


def test_a_cursor_given_out_for_other_filters_is_refused(oms: Scenario) -> None:
    for n in range(2):
        _placed(oms, f"SHOP-{n}")
    cursor = _list(oms, "status=PROCESSING&limit=1").json["next_cursor"]

    elsewhere = _list(oms, f"status=SHIPPED&cursor={cursor}")
    unfiltered = _list(oms, f"cursor={cursor}")
    forged = _list(oms, "cursor=bm90IGEgY3Vyc29y")

    assert cursor is not None
    for reply in (elsewhere, unfiltered, forged):
        assert (reply.status, reply.error_code) == (400, "validation_error")
        assert reply.json["error"]["details"][0]["field"] == "cursor"
    assert _list(oms, f"status=PROCESSING&limit=1&cursor={cursor}").status == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=SENT", "status"), ("status=placed", "status"), ("partner_id=Main%20Warehouse", "partner_id"),
     ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit")],
)  # fmt: skip
def test_a_filter_that_names_nothing_the_list_knows_is_a_validation_error(
    oms: Scenario, query: str, field: str
) -> None:
    reply = _list(oms, query)

    assert (reply.status, reply.error_code) == (400, "validation_error")
    assert [d["field"] for d in reply.json["error"]["details"]] == [field]


@pytest.mark.parametrize("key", ["storefront", None])
def test_only_the_admin_key_lists_orders(oms: Scenario, key: str | None) -> None:
    _placed(oms, "SHOP-1")

    reply = oms.request("GET", "/orders", key=key)

    assert (reply.status, reply.error_code) == (403, "forbidden")
    assert b"ada@example.com" not in reply.body


def test_a_compensated_order_is_listed_as_failed(oms: Scenario) -> None:
    order = _placed(oms, "SHOP-1")

    oms.stack.invoke("compensate", {"order_id": order["order_id"], "error": {"Error": "States.Timeout"}})

    assert _ids(oms, "status=FAILED") == [order["order_id"]]
    assert _ids(oms, "status=FAILED&partner_id=main-warehouse") == [order["order_id"]]
    assert _ids(oms, "status=PROCESSING") == []


def test_a_summary_read_before_a_newer_one_does_not_replace_it(oms: Scenario) -> None:
    from oms import listing
    from oms.repository import orders

    order = _placed(oms, "SHOP-1")
    before = orders.load(order["order_id"])
    oms.track("main-warehouse", _shipment_at(order, "main-warehouse"), "SHIPPED")

    listing.refresh(before)

    assert _ids(oms, "status=SHIPPED") == [order["order_id"]]
    assert _ids(oms, "status=SHIPPED&partner_id=main-warehouse") == [order["order_id"]]
    assert _ids(oms, "status=PROCESSING") == []


def test_a_listing_write_that_meets_a_conflict_is_retried_in_place(oms: Scenario) -> None:
    order = _placed(oms, "SHOP-1", quantity=12)  # two shipments: the list is written after the move

    with conflicting_updates("listed_seq") as fault:
        reply = oms.track("main-warehouse", _shipment_at(order, "main-warehouse"), "SHIPPED")

    assert (reply.status, fault.injected) == (202, 1)
    assert _ids(oms, "status=PARTIALLY_SHIPPED") == [order["order_id"]]


def test_contention_that_outlasts_the_retries_leaves_the_update_applied_and_the_list_catches_up(
    oms: Scenario,
) -> None:
    order = _placed(oms, "SHOP-1", quantity=12)
    shipment_id = _shipment_at(order, "main-warehouse")

    with conflicting_updates("listed_seq", times=RETRY_ATTEMPTS) as fault:
        shipped = oms.track("main-warehouse", shipment_id, "SHIPPED")
    behind = _ids(oms, "status=PROCESSING")
    oms.track("main-warehouse", shipment_id, "DELIVERED")

    assert (shipped.status, shipped.json, fault.injected) == (202, {"applied": True}, RETRY_ATTEMPTS)
    assert oms.order(order["order_id"])["status"] == "PARTIALLY_SHIPPED"
    assert behind == [order["order_id"]]
    assert _ids(oms, "status=PARTIALLY_SHIPPED") == [order["order_id"]]
    assert _ids(oms, "status=PROCESSING") == []


def test_a_one_shipment_order_is_listed_by_the_write_that_moves_its_shipment(oms: Scenario) -> None:
    order = _placed(oms, "SHOP-1")

    with meter() as reading:
        shipped = oms.track("main-warehouse", _shipment_at(order, "main-warehouse"), "SHIPPED")

    assert shipped.status == 202
    assert reading.operations("TrackingFunction")["dynamodb:UpdateItem"] == 0
    assert _ids(oms, "status=SHIPPED") == [order["order_id"]]
    assert _ids(oms, "status=SHIPPED&partner_id=main-warehouse") == [order["order_id"]]
    assert _ids(oms, "status=PROCESSING") == []


def test_a_move_judged_on_an_order_read_before_a_newer_summary_is_judged_again(
    oms: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms import listing
    from oms.repository import orders

    order = _placed(oms, "SHOP-1")
    shipment_id = _shipment_at(order, "main-warehouse")
    stale = orders.load(order["order_id"])
    # Another writer appends to the order and lists it from what it reads after: a summary the stale read lacks.
    orders.append_event(order["order_id"], "EmailSent", {"kind": "order_confirmed"})
    listing.refresh(orders.load(order["order_id"]))
    reads: list[str] = []
    fresh = orders.load

    def stale_first(order_id: str) -> Any:
        reads.append(order_id)
        return stale if len(reads) == 1 else fresh(order_id)

    monkeypatch.setattr(orders, "load", stale_first)
    shipped = oms.track("main-warehouse", shipment_id, "SHIPPED")
    monkeypatch.undo()

    assert (shipped.status, shipped.json, len(reads)) == (202, {"applied": True}, 2)
    assert oms.order(order["order_id"])["status"] == "SHIPPED"
    assert _ids(oms, "status=SHIPPED") == [order["order_id"]]
    assert _ids(oms, "status=PROCESSING") == []
