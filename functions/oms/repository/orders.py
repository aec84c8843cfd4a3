"""Orders and everything they own in the Orders table: header, shipments, timeline, email and feedback marks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from oms import clock
from oms.repository import keys
from oms.repository.dynamo import cancellation_codes, db, from_item, query_all, to_item, transact, value
from oms.settings import settings


@dataclass
class OrderBundle:
    """One order as stored: its header and every item of its collection."""

    header: dict[str, Any]
    shipments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    feedback: dict[str, Any] | None = None

    def shipment(self, shipment_id: str) -> dict[str, Any] | None:
        return next((s for s in self.shipments if s["shipment_id"] == shipment_id), None)


class RefTaken(Exception):
    """The external_ref already names an order."""

    def __init__(self, order_id: str, body_hash: str) -> None:
        super().__init__(order_id)
        self.order_id = order_id
        self.body_hash = body_hash


def _table() -> str:
    return settings().orders_table


def event_item(order_id: str, event_type: str, detail: dict[str, Any], at: str | None = None) -> dict[str, Any]:
    """A timeline entry as a transaction Put."""
    at = at or clock.iso()
    item = {
        **keys.event(order_id, at, secrets.token_hex(4)),
        "type": "EVENT",
        "at": at,
        "event_type": event_type,
        "detail": detail,
    }
    return {"Put": {"TableName": _table(), "Item": to_item(item)}}


def create(header: dict[str, Any]) -> None:
    """Write a new order with its `REF#` item in one transaction; RefTaken if the ref is in use."""
    order_id = header["order_id"]
    ref_item = {
        **keys.ref(header["external_ref"]),
        "type": "REF",
        "order_id": order_id,
        "body_hash": header["body_hash"],
        "created_at": header["created_at"],
    }
    items = [
        {
            "Put": {
                "TableName": _table(),
                "Item": to_item(ref_item),
                "ConditionExpression": "attribute_not_exists(PK)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        {
            "Put": {
                "TableName": _table(),
                "Item": to_item({**keys.order(order_id), "type": "ORDER", **header}),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        event_item(order_id, "OrderPlaced", {"external_ref": header["external_ref"]}, header["created_at"]),
    ]
    try:
        transact(items)
    except ClientError as error:
        if cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
            existing = ref(header["external_ref"])
            if existing:
                raise RefTaken(existing["order_id"], existing["body_hash"]) from error
        raise


def ref(external_ref: str) -> dict[str, Any] | None:
    item = db().get_item(TableName=_table(), Key=to_item(keys.ref(external_ref)), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def header(order_id: str) -> dict[str, Any] | None:
    item = db().get_item(TableName=_table(), Key=to_item(keys.order(order_id)), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def load(order_id: str) -> OrderBundle | None:
    """The whole item collection of an order, in one consistent query."""
    items = query_all(
        TableName=_table(),
        ConsistentRead=True,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": value(keys.order_pk(order_id))},
    )
    head = next((i for i in items if i["SK"] == "ORDER"), None)
    if head is None:
        return None
    bundle = OrderBundle(header=head)
    for item in items:
        kind = item.get("type")
        if kind == "SHIPMENT":
            bundle.shipments.append(item)
        elif kind == "EVENT":
            bundle.events.append(item)
        elif kind == "EMAIL":
            bundle.emails.add(item["SK"].removeprefix("EMAIL#"))
        elif kind == "FEEDBACK":
            bundle.feedback = item
    bundle.shipments.sort(key=lambda s: s.get("number", 0))
    bundle.events.sort(key=lambda e: e["SK"])
    return bundle


def shipment_put(shipment: dict[str, Any]) -> dict[str, Any]:
    item = {
        **keys.shipment(shipment["order_id"], shipment["shipment_id"]),
        "type": "SHIPMENT",
        **shipment,
        "GSI1PK": keys.partner_shipments(shipment["partner_id"], shipment["status"]),
        "GSI1SK": f"{shipment['sent_at']}#{shipment['shipment_id']}",
    }
    return {"Put": {"TableName": _table(), "Item": to_item(item), "ConditionExpression": "attribute_not_exists(PK)"}}


def header_update(order_id: str, expected_round: int, changes: dict[str, Any]) -> dict[str, Any]:
    """A transaction Update of the header, refused unless no other allocation round got there first."""
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    values = {f":v{i}": v for i, v in enumerate(changes.values())}
    assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(changes)))
    return {
        "Update": {
            "TableName": _table(),
            "Key": to_item(keys.order(order_id)),
            "UpdateExpression": f"SET {assignments}, allocation_round = :next",
            "ConditionExpression": "allocation_round = :round",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item({**values, ":round": expected_round, ":next": expected_round + 1}),
        }
    }


def set_header(order_id: str, changes: dict[str, Any]) -> None:
    names = {f"#f{i}": name for i, name in enumerate(changes)}
    values = {f":v{i}": v for i, v in enumerate(changes.values())}
    db().update_item(
        TableName=_table(),
        Key=to_item(keys.order(order_id)),
        UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_item(values),
    )


def park_token(order_id: str, shipment_id: str, token: str) -> dict[str, Any] | None:
    """Store the execution's task token on the shipment and return the shipment as it now is (None if none)."""
    try:
        result = db().update_item(
            TableName=_table(),
            Key=to_item(keys.shipment(order_id, shipment_id)),
            UpdateExpression="SET task_token = :t",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":t": token}),
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return from_item(result["Attributes"])


def mark_requested(order_id: str, shipment_id: str, at: str) -> None:
    db().update_item(
        TableName=_table(),
        Key=to_item(keys.shipment(order_id, shipment_id)),
        UpdateExpression="SET requested_at = if_not_exists(requested_at, :at)",
        ExpressionAttributeValues=to_item({":at": at}),
    )


def shipment_move(order_id: str, shipment: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A transaction Update that moves a shipment on, refused if its status changed meanwhile."""
    changes = dict(changes)
    if "status" in changes:
        changes["GSI1PK"] = keys.partner_shipments(shipment["partner_id"], changes["status"])
    sets = [f"#f{i} = :v{i}" for i, v in enumerate(changes.values()) if v is not None]
    removes = [f"#f{i}" for i, v in enumerate(changes.values()) if v is None]
    expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    values = {f":v{i}": v for i, v in enumerate(changes.values()) if v is not None}
    return {
        "Update": {
            "TableName": _table(),
            "Key": to_item(keys.shipment(order_id, shipment["shipment_id"])),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "#status = :current",
            "ExpressionAttributeNames": {**{f"#f{i}": n for i, n in enumerate(changes)}, "#status": "status"},
            "ExpressionAttributeValues": to_item({**values, ":current": shipment["status"]}),
        }
    }


def partner_event_put(partner_id: str, event_id: str, order_id: str, shipment_id: str) -> dict[str, Any]:
    """A transaction Put that fails when the partner already sent this event_id."""
    item = {
        **keys.partner_event(partner_id, event_id),
        "type": "PARTNER_EVENT",
        "order_id": order_id,
        "shipment_id": shipment_id,
        "at": clock.iso(),
    }
    return {"Put": {"TableName": _table(), "Item": to_item(item), "ConditionExpression": "attribute_not_exists(PK)"}}


def partner_event_seen(partner_id: str, event_id: str) -> bool:
    found = (
        db()
        .get_item(TableName=_table(), Key=to_item(keys.partner_event(partner_id, event_id)), ConsistentRead=True)
        .get("Item")
    )
    return found is not None


def append_event(order_id: str, event_type: str, detail: dict[str, Any]) -> None:
    item = event_item(order_id, event_type, detail)["Put"]
    db().put_item(TableName=item["TableName"], Item=item["Item"])


def claim_email(order_id: str, kind: str, shipment_id: str | None) -> bool:
    """Mark an email as sent; False when it already was, so it goes out at most once."""
    item = {**keys.email(order_id, kind, shipment_id), "type": "EMAIL", "kind": kind, "at": clock.iso()}
    try:
        db().put_item(TableName=_table(), Item=to_item(item), ConditionExpression="attribute_not_exists(PK)")
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release_email(order_id: str, kind: str, shipment_id: str | None) -> None:
    """Take the mark back when sending failed, so a retry sends it."""
    db().delete_item(TableName=_table(), Key=to_item(keys.email(order_id, kind, shipment_id)))


def put_feedback(order_id: str, rating: int, comment: str | None) -> bool:
    item = {**keys.feedback(order_id), "type": "FEEDBACK", "rating": rating, "comment": comment, "at": clock.iso()}
    try:
        transact(
            [
                {
                    "Put": {
                        "TableName": _table(),
                        "Item": to_item(item),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                event_item(order_id, "FeedbackReceived", {"rating": rating}),
            ]
        )
    except ClientError as error:
        if "ConditionalCheckFailed" in cancellation_codes(error):
            return False
        raise
    return True


def partner_shipments(
    partner_id: str, status: str, limit: int, start: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """A page of a partner's shipments in one status, oldest sent first."""
    kwargs: dict[str, Any] = {
        "TableName": _table(),
        "IndexName": "GSI1",
        "Limit": limit,
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": value(keys.partner_shipments(partner_id, status))},
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = db().query(**kwargs)
    return [from_item(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")
