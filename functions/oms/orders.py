"""Placing an order and reading it back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from oms import addresses, aws, clock, ids
from oms.errors import IdempotencyConflict, OrderNotFound, UndeliverableAddress, UnknownSku
from oms.idempotency import OncePerKey
from oms.models import OrderAccepted, OrderView, PlaceOrder
from oms.observability import logger, metrics
from oms.records import OrderHeader, StoredLine
from oms.repository import catalog
from oms.repository import orders as repo
from oms.settings import settings
from oms.statuses import OrderState, OrderStatus
from oms.views import order_view


def body_hash(order: PlaceOrder) -> str:
    canonical = json.dumps(order.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def place(order: PlaceOrder, idempotency_key: str | None = None, lambda_context: Any = None) -> OrderAccepted:
    """Accept an order once: the same external_ref (or Idempotency-Key) and body answer the same 202."""
    if not idempotency_key:
        return OrderAccepted.model_validate(_place(order))
    accepted = _PLACE_ONCE(idempotency_key, order.model_dump(mode="json"), lambda_context)
    return OrderAccepted.model_validate(accepted)


def _place(order: PlaceOrder) -> dict[str, Any]:
    skus = [line.sku for line in order.lines]
    known = catalog.products(skus)
    unknown = [sku for sku in skus if sku not in known]
    if unknown:
        raise UnknownSku(
            "Some SKUs are not in the catalogue.",
            [{"field": f"lines[{skus.index(s)}].sku", "message": f"unknown SKU {s}", "sku": s} for s in unknown],
        )
    refused = addresses.undeliverable(order.customer.email)
    if refused:
        raise UndeliverableAddress(
            "OMS could not email this customer, so it does not take the order.",
            [{"field": "customer.email", "message": refused}],
        )
    digest = body_hash(order)
    now = clock.iso()
    header = OrderHeader(
        order_id=ids.new_order_id(),
        external_ref=order.external_ref,
        body_hash=digest,
        state=OrderState.PLACED,
        backorder_policy=order.backorder_policy,
        customer=order.customer,
        shipping_address=order.shipping_address,
        lines=[StoredLine(sku=line.sku, quantity=line.quantity) for line in order.lines],
        created_at=now,
        updated_at=now,
    )
    try:
        repo.create(header)
        order_id = header.order_id
        metrics.add_metric(name="OrdersPlaced", unit="Count", value=1)
    except repo.RefTaken as taken:
        if taken.body_hash != digest:
            raise IdempotencyConflict(
                "external_ref already names another order with a different body.",
                [{"field": "external_ref", "message": "already used", "order_id": taken.order_id}],
            ) from taken
        order_id = taken.order_id
    logger.append_keys(order_id=order_id)  # every later line of this request names the order
    _start_execution(order_id)
    return {"order_id": order_id, "status": OrderStatus.PLACED.value}


def _start_execution(order_id: str) -> None:
    """One execution per order, named by it: a retry that finds it running changes nothing."""
    try:
        aws.client("stepfunctions").start_execution(
            stateMachineArn=settings().state_machine_arn, name=order_id, input=json.dumps({"order_id": order_id})
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise
        logger.info("execution already started", extra={"order_id": order_id})


def view(order_id: str) -> OrderView:
    order = repo.load(order_id)
    if order is None:
        raise OrderNotFound(f"No order {order_id}.")
    return order_view(order)


_PLACE_ONCE = OncePerKey(
    "place_order",
    "order",
    lambda order, _key: _place(PlaceOrder.model_validate(order)),
    "The same request is still being accepted; retry shortly.",
)
