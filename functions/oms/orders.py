"""Placing an order and reading it back."""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from oms import addresses, aws, clock, ids
from oms.errors import IdempotencyConflict, OrderNotFound, RequestInProgress, UndeliverableAddress, UnknownSku
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


# How long an Idempotency-Key is honoured (the contract's 24 h, as `oms.idempotency` honours a receipt's key;
# not imported from there, which would load Powertools Idempotency on POST /orders' path).
IDEMPOTENCY_SECONDS = 24 * 3600
# How long a claimed Idempotency-Key is "being accepted" when the Lambda context does not say how long the
# request may still run (a direct call): the function's timeout is far below it.
ACCEPTING_SECONDS = 30


def place(order: PlaceOrder, idempotency_key: str | None = None, lambda_context: Any = None) -> OrderAccepted:
    """Accept an order once: the same external_ref (or Idempotency-Key) and body answer the same 202.

    A warm environment makes three sequential calls with a key (claim it, write the order with the key
    marked accepted, start the execution) and two without: the catalogue is read from the environment's
    cache (`catalog.known_products`). A duplicate that finds the key still being accepted by a request
    that may still be running is 409 request_in_progress (decision 34)."""
    _check(order)
    header = _header(order)
    if idempotency_key:
        held = _claim(idempotency_key, header, lambda_context)
        if held is not None:
            logger.append_keys(order_id=held)  # every later line of this request names the order
            _start_execution(held)
            return _accepted(held)
    try:
        order_id = _write(header, idempotency_key)
    except Exception:
        # Refused or failed for good before the key answered with an order: give the claim back, as
        # Powertools Idempotency deletes its record when the work raises, so a retry is served at once.
        if idempotency_key:
            with contextlib.suppress(Exception):
                repo.release_key(idempotency_key, header.order_id)
        raise
    logger.append_keys(order_id=order_id)  # every later line of this request names the order
    _start_execution(order_id)
    return _accepted(order_id)


def _write(header: OrderHeader, key: str | None) -> str:
    """Write the order (with its key accepted); the id of the order the request answers with."""
    try:
        repo.create(header, key)
    except repo.KeyLost as lost:
        raise RequestInProgress("The same request is still being accepted; retry shortly.") from lost
    except repo.RefTaken as taken:
        if taken.body_hash != header.body_hash:
            raise IdempotencyConflict(
                "external_ref already names another order with a different body.",
                [{"field": "external_ref", "message": "already used", "order_id": taken.order_id}],
            ) from taken
        if key:
            try:
                repo.key_accepted(key, header.order_id, taken.order_id)
            except repo.KeyLost as lost:
                raise RequestInProgress("The same request is still being accepted; retry shortly.") from lost
        return taken.order_id
    metrics.add_metric(name="OrdersPlaced", unit="Count", value=1)
    return header.order_id


def _accepted(order_id: str) -> OrderAccepted:
    return OrderAccepted(order_id=order_id, status=OrderStatus.PLACED)


def _check(order: PlaceOrder) -> None:
    skus = [line.sku for line in order.lines]
    known = catalog.known_products(skus)
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


def _header(order: PlaceOrder) -> OrderHeader:
    now = clock.iso()
    return OrderHeader(
        order_id=ids.new_order_id(),
        external_ref=order.external_ref,
        body_hash=body_hash(order),
        state=OrderState.PLACED,
        backorder_policy=order.backorder_policy,
        customer=order.customer,
        shipping_address=order.shipping_address,
        lines=[StoredLine(sku=line.sku, quantity=line.quantity) for line in order.lines],
        created_at=now,
        updated_at=now,
    )


def _claim(key: str, header: OrderHeader, lambda_context: Any) -> str | None:
    """Claim the key for this order; None when claimed, else the order the key already answers with."""
    now = int(clock.now().timestamp())
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    accepting = remaining() / 1000 if remaining else ACCEPTING_SECONDS
    try:
        repo.claim_key(key, header.order_id, header.body_hash, now, now + int(accepting) + 1, now + IDEMPOTENCY_SECONDS)
    except repo.KeyHeld as held:
        if held.body_hash != header.body_hash:
            raise IdempotencyConflict(
                "This Idempotency-Key was used with another body.",
                [{"field": "Idempotency-Key", "message": "used before with another body"}],
            ) from held
        if not held.accepted:
            raise RequestInProgress("The same request is still being accepted; retry shortly.") from held
        return held.order_id
    return None


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
