"""An order's counters and status follow from its shipments, read without any AWS."""

from oms.records import StoredOrder
from oms.views import line_views, status_of

_ADDRESS = {"name": "Ada", "line1": "1 St", "city": "London", "postal_code": "SW1", "country": "GB"}


def _order(*shipments: tuple[str, int], backordered: int = 0, cancelled: int = 0, state: str = "ALLOCATED"):
    return StoredOrder.model_validate(
        {
            "order_id": "ORD-1",
            "external_ref": "SHOP-1",
            "body_hash": "-",
            "state": state,
            "backorder_policy": "ship_available",
            "customer": {"email": "ada@example.com", "name": "Ada"},
            "shipping_address": _ADDRESS,
            "created_at": "2026-11-26T10:00:00.000Z",
            "updated_at": "2026-11-26T10:00:00.000Z",
            "lines": [{"sku": "TEE", "quantity": 4, "backordered": backordered, "cancelled": cancelled}],
            "shipments": [
                {
                    "shipment_id": f"ORD-1-S{n}",
                    "order_id": "ORD-1",
                    "number": n,
                    "partner_id": "main-warehouse",
                    "kind": "WAREHOUSE",
                    "status": status,
                    "sent_at": "2026-11-26T10:00:00.000Z",
                    "lines": [{"sku": "TEE", "quantity": quantity}],
                }
                for n, (status, quantity) in enumerate(shipments, start=1)
            ],
        }
    )


def test_shipped_and_delivered_units_count_from_their_shipments() -> None:
    [line] = line_views(_order(("DELIVERED", 1), ("SHIPPED", 2), ("SENT", 1)))

    assert (line.allocated, line.shipped, line.delivered) == (4, 3, 1)


def test_a_rejected_shipment_no_longer_holds_its_units() -> None:
    [line] = line_views(_order(("REJECTED", 3), ("ACCEPTED", 1), backordered=3))

    assert (line.allocated, line.backordered) == (1, 3)
    assert line.allocated + line.backordered + line.cancelled == line.quantity


def test_status_moves_from_processing_to_delivered() -> None:
    assert status_of(_order(("SENT", 4))) == "PROCESSING"
    assert status_of(_order(("SHIPPED", 2), ("SENT", 2))) == "PARTIALLY_SHIPPED"
    assert status_of(_order(("SHIPPED", 2), ("IN_TRANSIT", 2))) == "SHIPPED"
    assert status_of(_order(("DELIVERED", 3), cancelled=1)) == "DELIVERED"


def test_an_order_waiting_for_stock_is_backordered_and_a_new_one_placed() -> None:
    assert status_of(_order(backordered=4)) == "BACKORDERED"
    assert status_of(_order(state="PLACED")) == "PLACED"
    assert status_of(_order(("SENT", 4), state="FAILED")) == "FAILED"
