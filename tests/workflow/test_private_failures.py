"""What the outside sees of a failure is a public reason, and no log line carries a customer's details."""

import logging

import pytest
from pydantic import BaseModel

from oms.observability import logger
from tests.scenario import ORDER, Scenario

CUSTOMER = {"email": "grace.hopper@example.org", "name": "Grace Brewster Hopper"}
STREET = "1 Navy Yard Lane"


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    kept = _Kept()
    kept.setFormatter(logger.registered_formatter)
    previous = logger.log_level
    logger.addHandler(kept)
    logger.setLevel(logging.DEBUG)
    try:
        yield kept.lines
    finally:
        logger.removeHandler(kept)
        logger.setLevel(previous)


def _break_the_warehouse_request(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import oms.notifications.send as sending

    real = sending.recipient

    def unreachable(kind, order, partner):  # type: ignore[no-untyped-def]
        if kind == "fulfillment_request":
            raise LookupError(f"no address on file for {order.customer.email}")
        return real(kind, order, partner)

    monkeypatch.setattr(sending, "recipient", unreachable)


def test_a_failed_order_tells_the_outside_a_reason_code_not_the_error(oms: Scenario, monkeypatch) -> None:
    _break_the_warehouse_request(monkeypatch)

    order = oms.placed()

    [failed] = [entry for entry in order["timeline"] if entry["type"] == "OrderFailed"]
    assert failed["detail"] == {"reason": "internal_error"}
    assert "Traceback" not in str(order) and "stackTrace" not in str(order)


def test_no_log_line_carries_the_customers_address_or_name(oms: Scenario, monkeypatch, log_lines) -> None:
    placed = oms.placed(customer=CUSTOMER, shipping_address={**ORDER["shipping_address"], "line1": STREET})
    shipment_id = placed["shipments"][0]["shipment_id"]
    oms.track("main-warehouse", shipment_id, "SHIPPED")
    oms.track("main-warehouse", shipment_id, "DELIVERED")
    _break_the_warehouse_request(monkeypatch)
    oms.placed(external_ref="SHOP-FAILS", customer=CUSTOMER)

    assert any("order_id" in line for line in log_lines)
    for line in log_lines:
        assert CUSTOMER["email"] not in line
        assert CUSTOMER["name"] not in line
        assert STREET not in line


def test_a_server_bug_in_a_view_is_a_500_with_a_correlation_id_not_a_400(oms: Scenario, monkeypatch) -> None:
    import oms.orders as orders

    class Broken(BaseModel):
        count: int

    def bug(order_id: str):  # type: ignore[no-untyped-def]
        return Broken.model_validate({"count": "many"})

    monkeypatch.setattr(orders, "view", bug)

    reply = oms.request("GET", "/orders/ORD-ANY")

    assert (reply.status, reply.error_code) == (500, "internal_error")
    assert reply.json["error"]["details"][0]["correlation_id"]
    assert "many" not in reply.body.decode()


def test_each_invocation_logs_under_its_own_keys(oms: Scenario, monkeypatch, log_lines) -> None:
    import oms.orders as orders

    first = oms.placed()
    shipment_id = first["shipments"][0]["shipment_id"]
    oms.track("main-warehouse", shipment_id, "ACCEPTED")

    def bug(order_id: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(orders, "view", bug)
    assert oms.request("GET", "/orders/ORD-OTHER").status == 500

    [unexpected] = [line for line in log_lines if "unexpected error" in line]
    assert first["order_id"] not in unexpected
    assert shipment_id not in unexpected
