"""One scenario's own catalogue and orders on the shared `oms local`: SKUs made through the admin API under a
tag of its own, so scenarios sharing the stack never touch each other's stock."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.e2e.conftest import Client
    from tests.scenario import Reply

LIFE = ("ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED")
CUSTOMER = "ada@example.com"


class Shop:
    """One scenario's catalogue and orders on the shared stack."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.tag = uuid.uuid4().hex[:8].upper()
        self.skus: list[str] = []
        self.events = 0

    def product(self, name: str, stock: dict[str, int] | None = None, vendor: str | None = None) -> str:
        sku = f"{name}-{self.tag}"
        body = {"sku": sku, "name": name.title(), "fulfillment": "DROPSHIP" if vendor else "STOCKED"}
        if vendor:
            body["vendor_id"] = vendor
        assert self.client.call("PUT", f"/products/{sku}", body, key="admin").status in (200, 201)
        for location, on_hand in (stock or {}).items():
            reply = self.client.call(
                "POST", "/inventory/adjustments", {"sku": sku, "location": location, "on_hand": on_hand}, key="admin"
            )
            assert reply.status == 200, reply.body
        self.skus.append(sku)
        return sku

    def order(self, lines: dict[str, int], policy: str = "ship_available", settle: bool = True) -> dict[str, Any]:
        """The order as GET shows it once its execution has settled (`settle=False`: right after the 202)."""
        body = {
            "external_ref": f"SHOP-{uuid.uuid4().hex[:12]}",
            "customer": {"email": CUSTOMER, "name": "Ada Lovelace"},
            "shipping_address": {"name": "Ada Lovelace", "line1": "12 St James's Sq", "city": "London",
                                 "postal_code": "SW1Y 4JH", "country": "GB"},
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines.items()],
            "backorder_policy": policy,
        }  # fmt: skip
        reply = self.client.call("POST", "/orders", body)
        assert reply.status == 202, reply.body
        if not settle:
            return dict(reply.json)
        self.client.settle()
        return self.read(reply.json["order_id"])

    def read(self, order_id: str) -> dict[str, Any]:
        reply = self.client.call("GET", f"/orders/{order_id}")
        assert reply.status == 200, reply.body
        return dict(reply.json)

    def cancel(self, order_id: str) -> Reply:
        """The customer's cancellation, answered once what it set off has settled."""
        reply = self.client.call("POST", f"/orders/{order_id}/cancel")
        self.client.settle()
        return reply

    def receive(self, sku: str, quantity: int, location: str = "main-warehouse") -> dict[str, Any]:
        body = {"sku": sku, "location": location, "quantity": quantity}
        reply = self.client.call(
            "POST", "/inventory/receipts", body, key="admin", headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert reply.status == 200, reply.body
        self.client.settle()
        return dict(reply.json)

    def stock(self, sku: str) -> dict[str, Any]:
        reply = self.client.call("GET", f"/inventory/{sku}", key="admin")
        assert reply.status == 200, reply.body
        return {x["location"]: x for x in reply.json["locations"]} | {"backordered": reply.json["backordered"]}

    def track(self, shipment: dict[str, Any], status: str, **fields: Any) -> int:
        self.events += 1
        if status == "SHIPPED":
            fields = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", **fields}
        reply = self.client.track(
            shipment["partner_id"], shipment["shipment_id"], status, f"evt-{self.tag}-{self.events}", **fields
        )
        return reply.status

    def deliver_all(self, order_id: str) -> dict[str, Any]:
        for shipment in self.read(order_id)["shipments"]:
            if shipment["status"] in ("SENT", "ACCEPTED"):
                for status in LIFE:
                    assert self.track(shipment, status) in (200, 202)
        return self.read(order_id)

    def emails(self, order_id: str) -> list[tuple[str, str]]:
        """(kind, recipient) of every email sent about the order, oldest first."""
        return [(e["kind"], e["to"][0]) for e in self.client.outbox(order_id=order_id)]

    def balanced(self) -> None:
        for sku in self.skus:
            reply = self.client.call("GET", f"/inventory/{sku}", key="admin")
            for location in reply.json["locations"]:
                assert location["on_hand"] == location["available"] + location["reserved"], (sku, location)


def counters(order: dict[str, Any], sku: str) -> tuple[int, int, int, int, int]:
    (line,) = [x for x in order["lines"] if x["sku"] == sku]
    assert line["allocated"] + line["backordered"] + line["cancelled"] == line["quantity"], line
    return line["allocated"], line["backordered"], line["cancelled"], line["shipped"], line["delivered"]


def open_shipment(order: dict[str, Any], partner_id: str) -> dict[str, Any]:
    (shipment,) = [
        s for s in order["shipments"] if s["partner_id"] == partner_id and s["status"] in ("SENT", "ACCEPTED")
    ]
    return dict(shipment)
