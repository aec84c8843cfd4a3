"""Partner updates: verify who sent them, move the shipment forward once, wake the order's execution."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from botocore.exceptions import ClientError

from oms import carriers, clock, events, ids
from oms.errors import DomainError, ShipmentNotFound, SignatureRejected
from oms.fulfilment import resume
from oms.models import PartnerShipmentsPage, PartnerShipmentView, TrackingEvent, TrackingStatus
from oms.observability import logger, metrics
from oms.repository import catalog, inventory
from oms.repository import orders as repo
from oms.repository.dynamo import cancellation_codes, transact
from oms.signatures import InvalidSignature, verify
from oms.statuses import ShipmentKind, ShipmentStatus, leaves_stock, move_applies

_TIMELINE = {
    "ACCEPTED": "ShipmentAccepted",
    "REJECTED": "ShipmentRejected",
    "SHIPPED": "ShipmentShipped",
    "IN_TRANSIT": "ShipmentInTransit",
    "DELIVERED": "ShipmentDelivered",
    "EXCEPTION": "ShipmentException",
}
_ATTEMPTS = 3


class InvalidCursor(DomainError):
    status, code = 400, "validation_error"


PAGE_SIZE = 50


def authenticate(partner_id: str, body: bytes, signature: str | None) -> None:
    """401 for an unknown partner or a missing, wrong or stale signature; freshness is real time."""
    secret = catalog.partner_secret(partner_id) if catalog.partner(partner_id) else None
    if secret is None:
        raise SignatureRejected("The request is not signed by a known partner.")
    try:
        verify(secret, body, signature, now=time.time())
    except InvalidSignature as error:
        raise SignatureRejected(f"The signature does not verify: {error}") from error


def _owned_shipment(partner_id: str, shipment_id: str) -> tuple[str, dict[str, Any]]:
    order_id = ids.order_of_shipment(shipment_id)
    bundle = repo.load(order_id) if order_id else None
    shipment = bundle.shipment(shipment_id) if bundle else None
    if order_id is None or shipment is None or shipment["partner_id"] != partner_id:
        raise ShipmentNotFound(f"Partner {partner_id} has no shipment {shipment_id}.")
    return order_id, shipment


def record(partner_id: str, event: TrackingEvent) -> bool:
    """Apply the event once; False for a repeated event_id or a move that is not forward."""
    for _ in range(_ATTEMPTS):
        order_id, shipment = _owned_shipment(partner_id, event.shipment_id)
        if repo.partner_event_seen(partner_id, event.event_id):
            return False
        changes = _changes(shipment, event)
        if changes is None:
            return False
        items = [
            repo.partner_event_put(partner_id, event.event_id, order_id, shipment["shipment_id"]),
            repo.shipment_move(order_id, shipment, changes),
            *_stock_moves(shipment, changes.get("status")),
            repo.event_item(order_id, _TIMELINE[event.status.value], _detail(event, changes)),
        ]
        try:
            transact(items)
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                continue  # the shipment moved under us: judge the event again against what it is now
            raise
        _after(order_id, shipment, event, changes)
        return True
    raise ClientError({"Error": {"Code": "TransactionConflict", "Message": "shipment kept moving"}}, "Tracking")


def _changes(shipment: dict[str, Any], event: TrackingEvent) -> dict[str, Any] | None:
    at = clock.iso()
    if event.status == TrackingStatus.EXCEPTION:
        if shipment["status"] in (ShipmentStatus.DELIVERED, ShipmentStatus.REJECTED, ShipmentStatus.CANCELLED):
            return None
        return {"exception": {"reason": event.reason, "at": at}}
    current, new = ShipmentStatus(shipment["status"]), ShipmentStatus(event.status.value)
    if not move_applies(current, new):
        return None
    changes: dict[str, Any] = {"status": new.value, "exception": None, f"{new.value.lower()}_at": at}
    if new == ShipmentStatus.REJECTED:
        changes["rejection_reason"] = event.reason
    if event.carrier or event.tracking_number:
        changes["carrier"] = event.carrier or shipment.get("carrier")
        changes["tracking_number"] = event.tracking_number or shipment.get("tracking_number")
        changes["tracking_url"] = event.tracking_url or carriers.tracking_url(
            changes["carrier"], changes["tracking_number"]
        )
    if leaves_stock(current, new) and "shipped_at" not in changes:
        changes["shipped_at"] = at
    return changes


def _stock_moves(shipment: dict[str, Any], new: str | None) -> list[dict[str, Any]]:
    if new is None or shipment["kind"] == ShipmentKind.DROPSHIP:
        return []
    current = ShipmentStatus(shipment["status"])
    if leaves_stock(current, ShipmentStatus(new)):
        return [inventory.ship(x["sku"], shipment["partner_id"], x["quantity"]) for x in shipment["lines"]]
    if new == ShipmentStatus.REJECTED:
        return [inventory.release(x["sku"], shipment["partner_id"], x["quantity"]) for x in shipment["lines"]]
    return []


def _detail(event: TrackingEvent, changes: dict[str, Any]) -> dict[str, Any]:
    detail = {
        "shipment_id": event.shipment_id,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
    }
    for name in ("carrier", "tracking_number", "tracking_url"):
        if changes.get(name):
            detail[name] = changes[name]
    if event.reason:
        detail["reason"] = event.reason
    return detail


def _after(order_id: str, shipment: dict[str, Any], event: TrackingEvent, changes: dict[str, Any]) -> None:
    metrics.add_metric(name=f"Partner{_TIMELINE[event.status.value].removeprefix('Shipment')}", unit="Count", value=1)
    events.publish(order_id, _TIMELINE[event.status.value], _detail(event, changes))
    # Read the token after the write: Dispatch parks its token before it reads the status, so one of
    # the two always sees the other's write and the execution is never left waiting on a moved shipment.
    bundle = repo.load(order_id)
    fresh = bundle.shipment(shipment["shipment_id"]) if bundle else None
    token = (fresh or {}).get("task_token")
    if token:
        resume(token, fresh["status"])  # type: ignore[index]
    else:
        logger.info("no execution waiting on the shipment yet", extra={"shipment_id": shipment["shipment_id"]})


def shipments(partner_id: str, status: str, cursor: str | None) -> PartnerShipmentsPage:
    """A partner's shipments in one status, oldest first, 50 a page."""
    try:
        start = json.loads(base64.urlsafe_b64decode(cursor.encode())) if cursor else None
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise InvalidCursor("The cursor is not one this API gave out.") from error
    items, last = repo.partner_shipments(partner_id, status, PAGE_SIZE, start)
    views = []
    for item in items:
        head = repo.header(item["order_id"]) or {}
        views.append(PartnerShipmentView.model_validate({**item, "shipping_address": head["shipping_address"]}))
    next_cursor = base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None
    return PartnerShipmentsPage(shipments=views, next_cursor=next_cursor)
