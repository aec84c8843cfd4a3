"""Partners as allocation reads them: one item read by key, written with every partner, in rank order."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from oms import aws
from oms.errors import TransientError
from oms.fulfilment.allocate import locations
from oms.models import PartnerIn
from oms.repository import catalog
from tests.scenario import DEFAULT_SEED, Scenario, scenario

NORTH = {"id": "north-3pl", "kind": "THIRD_PARTY", "name": "North Fulfilment", "email": "ops@north.example",
         "secret": "north-secret-0123456789"}  # fmt: skip
WEST = {"id": "west-3pl", "kind": "THIRD_PARTY", "name": "West Fulfilment", "email": "ops@west.example",
        "secret": "west-secret-0123456789"}  # fmt: skip


@contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    """The name of every DynamoDB operation the functions call meanwhile, in order."""
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", record)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", record)


def _admin(oms: Scenario, method: str, path: str, body: Any = None) -> Any:
    reply = oms.request(method, path, body, key="admin")
    assert reply.status == 200, reply.body
    return reply.json


def _allocated(oms: Scenario, sku: str) -> tuple[str, list[str]]:
    """Place one unit of `sku` and allocate it: the outcome and the partners its shipments go to."""
    reply = oms.place(external_ref=f"SHOP-{uuid.uuid4().hex[:10]}", lines=[{"sku": sku, "quantity": 1}])
    assert reply.status == 202, reply.body
    order_id = reply.json["order_id"]
    allocation = oms.stack.invoke("allocate", {"order_id": order_id})
    return allocation["outcome"], [s["partner_id"] for s in oms.order(order_id)["shipments"]]


def _lamp_stocked_at(oms: Scenario, location: str, on_hand: int) -> None:
    _admin(oms, "PUT", "/products/LAMP-1", {"sku": "LAMP-1", "name": "Desk lamp"})
    _admin(oms, "POST", "/inventory/adjustments", {"sku": "LAMP-1", "location": location, "on_hand": on_hand})


def test_allocation_reads_the_partners_without_a_scan(oms: Scenario) -> None:
    reply = oms.place()
    assert reply.status == 202, reply.body

    with dynamodb_calls() as calls:
        allocation = oms.stack.invoke("allocate", {"order_id": reply.json["order_id"]})

    assert allocation["outcome"] == "ALLOCATED"
    assert "Scan" not in calls
    assert "GetItem" in calls


def test_a_partner_added_through_the_admin_route_is_seen_by_the_next_allocation(oms: Scenario) -> None:
    _admin(oms, "PUT", "/partners/north-3pl", NORTH)
    _lamp_stocked_at(oms, "north-3pl", 3)

    assert _allocated(oms, "LAMP-1") == ("ALLOCATED", ["north-3pl"])


def test_a_partner_changed_through_the_admin_route_is_seen_by_the_next_allocation(oms: Scenario) -> None:
    _admin(oms, "PUT", "/partners/north-3pl", NORTH)
    _lamp_stocked_at(oms, "north-3pl", 3)
    assert _allocated(oms, "LAMP-1") == ("ALLOCATED", ["north-3pl"])

    _admin(oms, "PUT", "/partners/north-3pl", {**NORTH, "kind": "VENDOR"})

    assert _allocated(oms, "LAMP-1") == ("BACKORDERED", [])


def test_stock_goes_to_the_own_warehouse_first_then_third_parties_in_seed_order(template: dict[str, Any]) -> None:
    partners = {p["id"]: p for p in DEFAULT_SEED["partners"]}
    seed = {
        **DEFAULT_SEED,
        "partners": [partners["east-3pl"], partners["acme-vendor"], WEST, partners["main-warehouse"]],
        "inventory": [{"sku": "TEE-RED-M", "location": location, "on_hand": 1}
                      for location in ("west-3pl", "east-3pl", "main-warehouse")],
    }  # fmt: skip
    with scenario(template, seed, executions=False) as oms:
        _admin(oms, "PUT", "/partners/north-3pl", NORTH)
        _admin(oms, "PUT", "/partners/east-3pl", {**partners["east-3pl"], "name": "East Fulfilment Ltd"})

        preferred = [location.partner_id for location in locations()]
        served = [_allocated(oms, "TEE-RED-M")[1] for _ in range(4)]

    assert preferred == ["main-warehouse", "east-3pl", "west-3pl", "north-3pl"]
    assert served == [["main-warehouse"], ["east-3pl"], ["west-3pl"], []]


def test_the_directory_lists_each_partner_once_without_its_secret(oms: Scenario) -> None:
    _admin(oms, "PUT", "/partners/north-3pl", NORTH)
    _admin(oms, "PUT", "/partners/north-3pl", {**NORTH, "name": "North Fulfilment Ltd"})

    listed = [(p.id, p.name, p.rank) for p in catalog.partners()]

    assert listed == [
        ("main-warehouse", "Own warehouse", 0),
        ("east-3pl", "East Fulfilment", 1),
        ("acme-vendor", "Acme Manufacturing", 2),
        ("north-3pl", "North Fulfilment Ltd", 3),
    ]
    assert not any("secret" in p.model_dump() for p in catalog.partners())


@pytest.fixture
def raced(oms: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next partner write reads the directory, then west-3pl is written before it writes its own."""
    read = catalog._directory

    def read_then_another_write() -> Any:
        found = read()
        monkeypatch.setattr(catalog, "_directory", read)
        catalog.put_partner(PartnerIn.model_validate(WEST))
        return found

    monkeypatch.setattr(catalog, "_directory", read_then_another_write)


@pytest.mark.usefixtures("raced")
def test_a_partner_write_that_raced_another_writes_nothing(oms: Scenario) -> None:
    with pytest.raises(TransientError):
        catalog.put_partner(PartnerIn.model_validate(NORTH))

    assert catalog.partner("north-3pl") is None
    assert [p.id for p in catalog.partners()][-1] == "west-3pl"


@pytest.mark.usefixtures("raced")
def test_the_admin_route_retries_a_partner_write_that_raced_another(oms: Scenario) -> None:
    _admin(oms, "PUT", "/partners/north-3pl", NORTH)

    assert [(p.id, p.rank) for p in catalog.partners()][-2:] == [("west-3pl", 3), ("north-3pl", 4)]
