"""The order's procedure: allocate stock into shipments, dispatch them to partners, compensate on failure."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from oms import aws, clock, events, ids
from oms.allocation import Allocation, LineRequest, Location, allocate
from oms.errors import OrderNotFound, ReservationConflict
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.observability import logger, metrics
from oms.repository import catalog, inventory
from oms.repository import orders as repo
from oms.repository.dynamo import cancellation_codes, transact
from oms.repository.orders import OrderBundle
from oms.statuses import SHIPPED_STATUSES, BackorderPolicy, ShipmentKind, ShipmentStatus

_LOCATION_KINDS = {"WAREHOUSE": 0, "THIRD_PARTY": 1}


def _bundle(order_id: str) -> OrderBundle:
    bundle = repo.load(order_id)
    if bundle is None:
        raise OrderNotFound(f"No order {order_id}.")
    return bundle


def outcome(bundle: OrderBundle) -> dict[str, Any]:
    """What the first allocation decided, read back from the order (so a retried step answers the same)."""
    lines = bundle.header["lines"]
    if all(line.get("cancelled", 0) >= line["quantity"] for line in lines):
        result, email = "CANCELLED", EmailKind.ORDER_CANCELLED
    elif any(line.get("backordered", 0) > 0 for line in lines):
        result, email = "BACKORDERED", EmailKind.ORDER_BACKORDERED
    else:
        result, email = "ALLOCATED", EmailKind.ORDER_CONFIRMED
    return {"outcome": result, "email": email.value, "shipment_ids": [s["shipment_id"] for s in bundle.shipments]}


def sources() -> tuple[list[Location], dict[str, dict[str, Any]]]:
    """Stock locations in preference order (own warehouse, then third parties in seed order), all partners."""
    partners = catalog.partners()
    stocked = [p for p in partners if p["kind"] in _LOCATION_KINDS]
    stocked.sort(key=lambda p: (_LOCATION_KINDS[p["kind"]], p.get("rank", 0)))
    return [Location(p["id"], ShipmentKind(p["kind"])) for p in stocked], {p["id"]: p for p in partners}


def allocate_order(order_id: str) -> dict[str, Any]:
    """Reserve what the order's policy allows, atomically with the shipments that carry it."""
    bundle = _bundle(order_id)
    head = bundle.header
    if head.get("state") != "PLACED":
        return outcome(bundle)
    skus = [line["sku"] for line in head["lines"]]
    products = catalog.products(skus)
    dropship = {sku: p["vendor_id"] for sku, p in products.items() if p.get("fulfillment") == "DROPSHIP"}
    locations, _ = sources()
    stock = inventory.stock([s for s in skus if s not in dropship])
    available = {sku: {loc: c["available"] for loc, c in by_loc.items()} for sku, by_loc in stock.items()}
    plan = allocate(
        [LineRequest(line["sku"], line["quantity"]) for line in head["lines"]],
        available,
        locations,
        dropship,
        BackorderPolicy(head["backorder_policy"]),
    )
    _commit(bundle, plan)
    metrics.add_metric(name="OrdersAllocated", unit="Count", value=1)
    allocated = _bundle(order_id)
    events.publish(order_id, "OrderAllocated", outcome(allocated))
    return outcome(allocated)


def _commit(bundle: OrderBundle, plan: Allocation) -> None:
    head = bundle.header
    order_id, now = head["order_id"], clock.iso()
    shipments = [
        {
            "shipment_id": ids.shipment_id(order_id, number),
            "order_id": order_id,
            "number": number,
            "partner_id": planned.partner_id,
            "kind": planned.kind.value,
            "status": ShipmentStatus.SENT.value,
            "lines": [{"sku": sku, "quantity": qty} for sku, qty in planned.lines],
            "sent_at": now,
        }
        for number, planned in enumerate(plan.shipments, start=head.get("shipment_count", 0) + 1)
    ]
    lines = [
        {**line, "backordered": plan.backordered.get(line["sku"], 0), "cancelled": plan.cancelled.get(line["sku"], 0)}
        for line in head["lines"]
    ]
    items = [
        repo.header_update(
            order_id,
            head.get("allocation_round", 0),
            {
                "state": "ALLOCATED",
                "lines": lines,
                "updated_at": now,
                "shipment_count": head.get("shipment_count", 0) + len(shipments),
            },
        )
    ]
    items += [inventory.reserve(sku, loc, qty) for (sku, loc), qty in sorted(plan.reserved_at().items())]
    items += [repo.shipment_put(s) for s in shipments]
    items.append(repo.event_item(order_id, "OrderAllocated", {"shipments": [s["shipment_id"] for s in shipments]}, now))
    if plan.backordered:
        items.append(repo.event_item(order_id, "UnitsBackordered", {"lines": plan.backordered}, now))
    if plan.cancelled:
        items.append(repo.event_item(order_id, "UnitsCancelled", {"lines": plan.cancelled, "reason": "policy"}, now))
    if len(items) > 100:
        raise ValueError(f"order {order_id} needs {len(items)} writes in one transaction; the limit is 100")
    try:
        transact(items)
    except ClientError as error:
        codes = cancellation_codes(error)
        if codes and codes[0] == "ConditionalCheckFailed":
            logger.info("allocation already committed by another attempt", extra={"order_id": order_id})
            return
        if "ConditionalCheckFailed" in codes:
            raise ReservationConflict(f"stock moved while allocating {order_id}") from error
        raise


def dispatch(order_id: str, shipment_id: str, seen: str, task_token: str) -> None:
    """Send the partner its request once, park the token; resume at once if the shipment moved meanwhile."""
    shipment = repo.park_token(order_id, shipment_id, task_token)
    if shipment is None:
        raise OrderNotFound(f"No shipment {shipment_id} in {order_id}.")
    if not shipment.get("requested_at"):
        bundle = _bundle(order_id)
        kind = EmailKind.PURCHASE_ORDER if shipment["kind"] == ShipmentKind.DROPSHIP else EmailKind.FULFILLMENT_REQUEST
        send(bundle, kind, shipment_id)
        now = clock.iso()
        repo.mark_requested(order_id, shipment_id, now)
        repo.append_event(order_id, "ShipmentSent", {"shipment_id": shipment_id, "partner_id": shipment["partner_id"]})
    if shipment["status"] != seen:
        resume(task_token, shipment["status"])


def resume(task_token: str, status: str) -> None:
    """Hand the execution the shipment's new status; a token already used is fine (the other side won)."""
    try:
        aws.client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps({"status": status}))
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist"):
            raise


def notify_outcome(order_id: str, kind: str) -> None:
    send(_bundle(order_id), EmailKind(kind))


def notify_shipment(order_id: str, shipment_id: str) -> list[str]:
    """Every email the shipment's state owes the customer, each once."""
    bundle = _bundle(order_id)
    shipment = bundle.shipment(shipment_id)
    if shipment is None:
        raise OrderNotFound(f"No shipment {shipment_id} in {order_id}.")
    due = []
    if shipment.get("exception"):
        due.append(EmailKind.SHIPMENT_EXCEPTION)
    if ShipmentStatus(shipment["status"]) in SHIPPED_STATUSES and shipment.get("tracking_number"):
        due.append(EmailKind.SHIPMENT_SHIPPED)
    if shipment["status"] == ShipmentStatus.DELIVERED:
        due.append(EmailKind.SHIPMENT_DELIVERED)
    return [kind.value for kind in due if send(bundle, kind, shipment_id)]


def compensate(order_id: str, error: dict[str, Any] | None) -> None:
    """The order could not finish: release what it holds, mark it FAILED, tell the customer."""
    found = repo.load(order_id)
    if found is None:
        # An execution started for an order that was never written holds nothing to give back.
        logger.error("nothing to compensate: no such order", extra={"order_id": order_id, "error": error})
        return
    bundle = found
    now = clock.iso()
    for shipment in bundle.shipments:
        if shipment["status"] not in (ShipmentStatus.SENT, ShipmentStatus.ACCEPTED):
            continue
        items = [repo.shipment_move(order_id, shipment, {"status": ShipmentStatus.CANCELLED.value})]
        if shipment["kind"] != ShipmentKind.DROPSHIP:
            items += [inventory.release(x["sku"], shipment["partner_id"], x["quantity"]) for x in shipment["lines"]]
        try:
            transact(items)
        except ClientError as failure:
            if "ConditionalCheckFailed" not in cancellation_codes(failure):
                raise
    if bundle.header.get("state") != "FAILED":
        repo.set_header(order_id, {"state": "FAILED", "updated_at": now})
        detail = {"error": (error or {}).get("Error"), "cause": str((error or {}).get("Cause", ""))[:500]}
        repo.append_event(order_id, "OrderFailed", detail)
        metrics.add_metric(name="OrdersFailed", unit="Count", value=1)
        events.publish(order_id, "OrderFailed", detail)
    send(_bundle(order_id), EmailKind.ORDER_FAILED)
