"""The order list's pure parts: what it shows of an order, where it files it, and the cursors it gives out."""

from typing import Any

import pytest

from oms.listing import summary
from oms.records import ListedOrder, OrderHeader, StoredOrder
from oms.repository import cursors, keys
from oms.statuses import OrderStatus
from oms.views import order_view

_PLACED_AT = "2026-11-26T10:00:00.000Z"


def _order(*shipments: tuple[str, str], state: str = "ALLOCATED", events: tuple[str, ...] = ()) -> StoredOrder:
    return StoredOrder.model_validate(
        {
            "order_id": "ORD-1",
            "external_ref": "SHOP-1",
            "body_hash": "-",
            "state": state,
            "backorder_policy": "ship_available",
            "customer": {"email": "ada@example.com", "name": "Ada"},
            "shipping_address": {"name": "Ada", "line1": "1 St", "city": "London", "postal_code": "SW1",
                                 "country": "GB"},
            "created_at": _PLACED_AT,
            "updated_at": _PLACED_AT,
            "lines": [{"sku": "TEE", "quantity": len(shipments) or 1}],
            "shipments": [
                {"shipment_id": f"ORD-1-S{n}", "order_id": "ORD-1", "number": n, "partner_id": partner,
                 "kind": "WAREHOUSE", "status": status, "sent_at": _PLACED_AT, "lines": [{"sku": "TEE", "quantity": 1}]}
                for n, (partner, status) in enumerate(shipments, start=1)
            ],
            "timeline": [{"at": at, "event_type": "ShipmentAccepted"} for at in events],
        }
    )  # fmt: skip


def test_the_list_shows_the_status_and_last_change_the_order_view_shows() -> None:
    order = _order(("main-warehouse", "SHIPPED"), ("east-3pl", "SENT"), events=("2026-11-27T09:30:00.000Z",))

    listed = summary(order)

    view = order_view(order)
    assert (listed.status, listed.updated_at) == (view.status, view.updated_at)
    assert listed.status == OrderStatus.PARTIALLY_SHIPPED
    assert listed.updated_at == "2026-11-27T09:30:00.000Z"


def test_each_partner_is_listed_once_in_shipment_order_and_every_shipment_counts() -> None:
    order = _order(("east-3pl", "REJECTED"), ("main-warehouse", "SENT"), ("east-3pl", "SENT"))

    listed = summary(order)

    assert listed.partner_ids == ["east-3pl", "main-warehouse"]
    assert listed.shipments == 3


def test_a_new_order_is_listed_as_its_summary_would_list_it() -> None:
    order = _order(state="PLACED")

    placed = ListedOrder.placed(OrderHeader.model_validate(order.model_dump()))

    assert placed == summary(order)
    assert placed.status == OrderStatus.PLACED


@pytest.mark.parametrize(
    ("status", "partner_id"), [(None, None), ("SHIPPED", None), (None, "east-3pl"), ("SHIPPED", "east-3pl")]
)
def test_a_listing_item_is_filed_where_each_query_that_should_find_it_looks(
    status: str | None, partner_id: str | None
) -> None:
    filed = keys.listed_order_index("SHIPPED", _PLACED_AT, "ORD-1", partner_id)

    index, partition = keys.listed_orders(status, partner_id)

    partition_key, sort_key = keys.INDEX_KEYS[index]
    assert filed[partition_key] == partition
    assert filed[sort_key] == f"{_PLACED_AT}#ORD-1"


def test_every_filter_has_a_partition_of_its_own() -> None:
    filters = [(s, p) for s in (None, *OrderStatus) for p in (None, "east-3pl", "main-warehouse")]

    partitions = {keys.listed_orders(status, partner_id) for status, partner_id in filters}

    assert len(partitions) == len(filters)


def _last(index: str, partition: str) -> dict[str, Any]:
    partition_key, sort_key = keys.INDEX_KEYS[index]
    return {
        "PK": {"S": "ORDER#ORD-1"},
        "SK": {"S": "ORDER"},
        partition_key: {"S": partition},
        sort_key: {"S": f"{_PLACED_AT}#ORD-1"},
    }


def test_a_cursor_is_taken_back_for_the_list_it_came_from() -> None:
    index, partition = keys.listed_orders("SHIPPED", None)
    last = _last(index, partition)

    cursor = cursors.encode(last)

    assert cursor is not None
    assert cursors.decode(cursor, index, partition) == last


@pytest.mark.parametrize(("status", "partner_id"), [("DELIVERED", None), (None, None), ("SHIPPED", "east-3pl")])
def test_a_cursor_of_another_list_is_refused(status: str | None, partner_id: str | None) -> None:
    cursor = cursors.encode(_last(*keys.listed_orders("SHIPPED", None)))
    assert cursor is not None

    with pytest.raises(cursors.BadCursor):
        cursors.decode(cursor, *keys.listed_orders(status, partner_id))


@pytest.mark.parametrize("cursor", ["not-base64!", "bnVsbA==", "eyJQSyI6IDF9", ""])
def test_something_that_is_not_a_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(cursors.BadCursor):
        cursors.decode(cursor, *keys.listed_orders(None, None))


def test_the_last_page_has_no_cursor() -> None:
    assert cursors.encode(None) is None
    assert cursors.encode({}) is None
