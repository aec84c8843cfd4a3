"""Orders and everything they own in the Orders table: header, shipments, timeline, email and feedback marks."""

from __future__ import annotations

import secrets
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from oms import clock
from oms.records import ListedOrder, OrderHeader, StoredFeedback, StoredOrder, StoredShipment, TimelineEvent
from oms.repository import cursors, keys, listing
from oms.repository.cursors import BadCursor as BadCursor  # what a caller of partner_shipments catches
from oms.repository.dynamo import Cancelled, db, error_code, from_item, query_all, retried, to_item, transact, value
from oms.settings import settings

_CONDITION_FAILED = "ConditionalCheckFailedException"
# On the header, the allocation rounds committed; on an item a round wrote, that round's number.
ROUND = "allocation_round"


class RefTaken(Exception):
    """The external_ref already names an order."""

    def __init__(self, order_id: str, body_hash: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id
        self.body_hash = body_hash


class KeyHeld(Exception):
    """An Idempotency-Key already claimed: by the order it names, still being accepted or accepted."""

    def __init__(self, order_id: str, body_hash: str, accepted: bool) -> None:
        super().__init__(order_id)
        self.order_id, self.body_hash, self.accepted = order_id, body_hash, accepted


class KeyLost(Exception):
    """The claim on an Idempotency-Key passed to another request while this one was accepting."""


_ACCEPTING, _ACCEPTED = "ACCEPTING", "ACCEPTED"


def table() -> str:
    return settings().orders_table


def _put(item: dict[str, Any], *, new: bool = True) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table(), "Item": to_item(item)}
    if new:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    return {"Put": put}


def event_item(
    order_id: str, event_type: str, detail: dict[str, Any], at: str | None = None, position: int = 0
) -> dict[str, Any]:
    """A timeline entry as a transaction Put; `position`, its place among the entries of one write, orders
    those that share a millisecond the way they were made."""
    at = at or clock.iso()
    item = {
        **keys.event(order_id, at, f"{position:02d}{secrets.token_hex(4)}"),
        "type": "EVENT",
        "at": at,
        "event_type": event_type,
        "detail": detail,
    }
    return _put(item, new=False)


def claim_key(key: str, order_id: str, body_hash: str, now: int, until: int, expires: int) -> None:
    """Claim an Idempotency-Key for the order about to be written, accepting until `until` (epoch seconds)
    and kept until `expires`. A claim expired, or left accepting past its time by a request that stopped,
    is taken over. KeyHeld, in the same round trip, when the key is held."""
    item = {
        **keys.idempotency(key),
        "type": "IDEMPOTENCY",
        "state": _ACCEPTING,
        "order_id": order_id,
        "body_hash": body_hash,
        "accepting_until": until,
        "expires_at": expires,
    }
    try:
        db().put_item(
            TableName=table(),
            Item=to_item(item),
            ConditionExpression=(
                "attribute_not_exists(PK) OR expires_at < :now OR (#state = :accepting AND accepting_until < :now)"
            ),
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=to_item({":now": now, ":accepting": _ACCEPTING}),
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error_code(error) != _CONDITION_FAILED:
            raise
        existing: dict[str, Any] = dict(error.response.get("Item") or {})  # type: ignore[call-overload]
        held = from_item(existing)
        raise KeyHeld(str(held["order_id"]), str(held["body_hash"]), held["state"] == _ACCEPTED) from error


def _key_accepted(key: str, claimed_by: str, order_id: str) -> dict[str, Any]:
    """The transaction item that turns this request's claim on the key into the accepted order's."""
    return {
        "Update": {
            "TableName": table(),
            "Key": to_item(keys.idempotency(key)),
            "UpdateExpression": "SET #state = :accepted, order_id = :order",
            "ConditionExpression": "#state = :accepting AND order_id = :claimed",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": to_item(
                {":accepted": _ACCEPTED, ":accepting": _ACCEPTING, ":order": order_id, ":claimed": claimed_by}
            ),
        }
    }


def key_accepted(key: str, claimed_by: str, order_id: str) -> None:
    """Name the order a claimed key answers with, when that order was written by an earlier request."""
    try:
        transact([_key_accepted(key, claimed_by, order_id)])
    except Cancelled as refused:
        raise KeyLost(key) from refused


def release_key(key: str, claimed_by: str) -> None:
    """Give up this request's claim on a key when it failed before its order was written, so the client's
    retry is served at once rather than answered request_in_progress."""
    try:
        db().delete_item(
            TableName=table(),
            Key=to_item(keys.idempotency(key)),
            ConditionExpression="#state = :accepting AND order_id = :claimed",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=to_item({":accepting": _ACCEPTING, ":claimed": claimed_by}),
        )
    except ClientError as error:
        if error_code(error) != _CONDITION_FAILED:
            raise


def create(header: OrderHeader, key: str | None = None) -> None:
    """Write a new order with its `REF#` item in one transaction, listed as PLACED from the start, and the
    Idempotency-Key it was claimed under (`claim_key`) marked accepted in the same write; RefTaken if the
    ref is in use, KeyLost if the claim passed to another request."""
    ref_item = {
        **keys.ref(header.external_ref),
        "type": "REF",
        "order_id": header.order_id,
        "body_hash": header.body_hash,
        "created_at": header.created_at,
    }
    items = [
        _put(ref_item),
        _put(
            {
                **keys.order(header.order_id),
                "type": "ORDER",
                **header.model_dump(mode="json"),
                # The OrderPlaced entry below is the order's first timeline event.
                **listing.header_attributes(ListedOrder.placed(header), seq=1),
            }
        ),
        event_item(header.order_id, "OrderPlaced", {"external_ref": header.external_ref}, header.created_at),
    ]
    if key is not None:
        items.append(_key_accepted(key, header.order_id, header.order_id))
    try:
        retried(lambda: transact(items))
    except Cancelled as refused:
        existing = ref(header.external_ref) if refused.failed(0) else None
        if existing is None:
            if refused.failed(3):
                raise KeyLost(key or "") from refused
            raise
        raise RefTaken(existing["order_id"], existing["body_hash"]) from refused


def ref(external_ref: str) -> dict[str, Any] | None:
    item = db().get_item(TableName=table(), Key=to_item(keys.ref(external_ref)), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def header(order_id: str) -> OrderHeader | None:
    item = db().get_item(TableName=table(), Key=to_item(keys.order(order_id)), ConsistentRead=True).get("Item")
    return OrderHeader.model_validate(from_item(item)) if item else None


def load(order_id: str) -> StoredOrder | None:
    """The whole item collection of an order, in one consistent query, as of its last committed
    allocation round: what a round still being written has put there stays out of sight."""
    items = query_all(
        TableName=table(),
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": value(keys.order_pk(order_id))},
    )
    head = next((i for i in items if i["SK"] == keys.ORDER_SK), None)
    if head is None:
        return None
    committed = int(head.get(ROUND, 0))
    shipments, timeline, emails, feedback = [], [], set(), None
    for item in sorted(items, key=lambda i: str(i["SK"])):
        kind = item.get("type")
        if item is not head and int(item.get(ROUND, 0)) > committed:
            continue  # written by a round still in progress (oms.repository.rounds)
        if kind == "SHIPMENT":
            shipments.append(StoredShipment.model_validate(item))
        elif kind == "EVENT":
            timeline.append(TimelineEvent.model_validate(item))
        elif kind == "EMAIL":
            emails.add(keys.email_of(str(item["SK"])))
        elif kind == "FEEDBACK":
            feedback = StoredFeedback.model_validate(item)
    shipments.sort(key=lambda s: s.number)
    return StoredOrder.model_validate(
        {**head, "shipments": shipments, "timeline": timeline, "emails": emails, "feedback": feedback}
    )


def shipment_put(shipment: StoredShipment) -> dict[str, Any]:
    item = {
        **keys.shipment(shipment.order_id, shipment.shipment_id),
        "type": "SHIPMENT",
        **shipment.model_dump(mode="json", exclude_none=True),
        **keys.partner_shipment_index(shipment.partner_id, shipment.status, shipment.sent_at, shipment.shipment_id),
    }
    return _put(item)


def assignments(changes: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """SET (and REMOVE for None) clauses for `changes`, with their attribute names and values."""
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    sets = [f"#f{i} = :v{i}" for i, v in enumerate(changes.values()) if v is not None]
    removes = [f"#f{i}" for i, v in enumerate(changes.values()) if v is None]
    expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    values = {f":v{i}": v for i, v in enumerate(changes.values()) if v is not None}
    return expression.strip(), names, values


def set_header(order_id: str, changes: dict[str, Any]) -> None:
    expression, names, values = assignments(changes)
    db().update_item(
        TableName=table(),
        Key=to_item(keys.order(order_id)),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_item(values),
    )


def shipment_move(shipment: StoredShipment, changes: dict[str, Any]) -> dict[str, Any]:
    """A transaction Update that moves a shipment on, refused if its status changed meanwhile."""
    unknown = set(changes) - set(StoredShipment.model_fields)
    if unknown:
        raise ValueError(f"not shipment fields: {sorted(unknown)}")
    changes = {k: _plain(v) for k, v in changes.items()}
    if "status" in changes:
        changes.update(keys.partner_shipment_status(shipment.partner_id, changes["status"]))
    expression, names, values = assignments(changes)
    return {
        "Update": {
            "TableName": table(),
            "Key": to_item(keys.shipment(shipment.order_id, shipment.shipment_id)),
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :current",
            "ExpressionAttributeNames": {**names, "#status": "status"},
            "ExpressionAttributeValues": to_item({**values, ":current": shipment.status.value}),
        }
    }


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value.value if isinstance(value, Enum) else value


def park_wake_token(order_id: str, token: str) -> None:
    """Store the task token the order's execution now waits on."""
    db().update_item(**_parked(order_id, token))


def _parked(order_id: str, token: str) -> dict[str, Any]:
    return {
        "TableName": table(),
        "Key": to_item(keys.order(order_id)),
        "UpdateExpression": "SET wake_token = :t",
        "ConditionExpression": "attribute_exists(PK)",
        "ExpressionAttributeValues": to_item({":t": token}),
    }


def shipment_item(order_id: str, shipment_id: str) -> dict[str, Any] | None:
    """A shipment's item as stored, read consistently (its pending stock moves included)."""
    item = db().get_item(TableName=table(), Key=to_item(keys.shipment(order_id, shipment_id)), ConsistentRead=True)
    return from_item(item["Item"]) if "Item" in item else None


def stock_chunk_done(order_id: str, shipment_id: str, number: str) -> dict[str, Any]:
    """The transaction item that marks one chunk of a shipment's pending stock moves as applied, refused
    if it already was."""
    return {
        "Update": {
            "TableName": table(),
            "Key": to_item(keys.shipment(order_id, shipment_id)),
            "UpdateExpression": "ADD stock_done :n",
            "ConditionExpression": "attribute_not_exists(stock_done) OR NOT contains(stock_done, :c)",
            "ExpressionAttributeValues": to_item({":n": {number}, ":c": number}),
        }
    }


def clear_stock_pending(order_id: str, shipment_id: str) -> None:
    db().update_item(
        TableName=table(),
        Key=to_item(keys.shipment(order_id, shipment_id)),
        UpdateExpression="REMOVE stock_pending, stock_done, stock_cause",
        ConditionExpression="attribute_exists(PK)",
    )


def mark_requested(
    order_id: str,
    shipment_id: str,
    at: str,
    timeline: tuple[str, dict[str, Any]],
    park: str | None = None,
    sent: TimelineEvent | None = None,
) -> bool:
    """Record that the shipment's partner was sent its request, with its timeline entry, once, and park the
    task token `park` in the same write when given; `sent`, the entry of the request's email, goes before
    it. False (and nothing written) when the request was recorded before."""
    update = {
        "TableName": table(),
        "Key": to_item(keys.shipment(order_id, shipment_id)),
        "UpdateExpression": "SET requested_at = :at",
        "ConditionExpression": "attribute_not_exists(requested_at)",
        "ExpressionAttributeValues": to_item({":at": at}),
    }
    entries = [*([(sent.event_type, sent.detail, sent.at)] if sent else []), (*timeline, at)]
    items = [{"Update": update}, *(event_item(order_id, *entry, position=n) for n, entry in enumerate(entries))]
    if park is not None:
        items.append({"Update": _parked(order_id, park)})
    try:
        transact(items)
    except Cancelled as refused:
        if refused.failed(0):
            return False
        raise
    return True


def append_event(order_id: str, event_type: str, detail: dict[str, Any]) -> None:
    put = event_item(order_id, event_type, detail)["Put"]
    db().put_item(TableName=put["TableName"], Item=put["Item"])


def append_events(order_id: str, entries: list[tuple[str, dict[str, Any]]]) -> None:
    """Timeline entries made by one fact, in one write at one time."""
    if len(entries) == 1:
        append_event(order_id, *entries[0])
        return
    at = clock.iso()
    transact([event_item(order_id, kind, detail, at, n) for n, (kind, detail) in enumerate(entries)])


def claim_email(order_id: str, kind: str, shipment_id: str | None) -> bool:
    """Mark an email as sent; False when it already was, so it goes out at most once."""
    item = {**keys.email(order_id, kind, shipment_id), "type": "EMAIL", "kind": kind, "at": clock.iso()}
    try:
        db().put_item(TableName=table(), Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")
    except ClientError as error:
        if error_code(error) == _CONDITION_FAILED:
            return False
        raise
    return True


def release_email(order_id: str, kind: str, shipment_id: str | None) -> None:
    """Take the mark back when sending failed, so a retry sends it."""
    db().delete_item(TableName=table(), Key=to_item(keys.email(order_id, kind, shipment_id)))


def put_feedback(order_id: str, rating: int, comment: str | None) -> bool:
    """Keep the customer's answer once; False when the order already has one."""
    item = {**keys.feedback(order_id), "type": "FEEDBACK", "rating": rating, "comment": comment, "at": clock.iso()}
    items = [_put(item), event_item(order_id, "FeedbackReceived", {"rating": rating})]
    try:
        retried(lambda: transact(items))
    except Cancelled as refused:
        if refused.failed(0):
            return False
        raise
    return True


def partner_shipments(
    partner_id: str, status: str, limit: int, cursor: str | None
) -> tuple[list[StoredShipment], str | None]:
    """A page of a partner's shipments in one status, oldest sent first, and the next page's cursor;
    BadCursor for a cursor this API did not give out for this partner and status."""
    partition = keys.partner_shipments(partner_id, status)
    start = cursors.decode(cursor, keys.PARTNER_INDEX, partition) if cursor else None
    kwargs: dict[str, Any] = {
        "TableName": table(),
        "IndexName": keys.PARTNER_INDEX,
        "Limit": limit,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": value(partition)},
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = db().query(**kwargs)
    found = [StoredShipment.model_validate(from_item(i)) for i in page.get("Items", [])]
    return found, cursors.encode(page.get("LastEvaluatedKey"))
