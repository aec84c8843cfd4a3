"""The order list: each order's summary on its header and, for each partner it has shipments at, on a
copy of its own, filed newest first in the two listing indexes (by status; all orders).

A summary is written only where it is not older than the one already there: `seq` is the number of
timeline events of the order it was computed from, and every write that changes an order's status
appends one, so a slow writer cannot put an older status back over a newer one.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from oms.records import ListedOrder
from oms.repository import cursors, keys
from oms.repository.dynamo import db, error_code, from_item, retried, to_item, value
from oms.settings import settings

_SUMMARY = frozenset({"status", "updated_at", "shipments", "partner_ids"})
_ORDER = frozenset({"order_id", "external_ref", "customer", "created_at"})
_NOT_OLDER = "(attribute_not_exists(listed_seq) OR listed_seq <= :seq)"
_OLDER = "(attribute_not_exists(listed_seq) OR listed_seq < :seq)"


def table() -> str:
    return settings().orders_table


def header_attributes(listed: ListedOrder, seq: int) -> dict[str, Any]:
    """What the order's header carries to be listed: the summary, the seq it was computed at, index keys."""
    return _attributes(listed, seq, partner_id=None)


def _attributes(listed: ListedOrder, seq: int, partner_id: str | None) -> dict[str, Any]:
    return {
        "listing": listed.model_dump(mode="json", include=set(_SUMMARY)),
        "listed_seq": seq,
        **keys.listed_order_index(listed.status.value, listed.created_at, listed.order_id, partner_id),
    }


def write(listed: ListedOrder, seq: int) -> None:
    """Write the summary on the header and on the copy at each of the order's partners, each one unless a
    newer summary is there already. Contention is retried in place."""
    for update in _updates(listed, seq):
        retried(partial(_update_once, update))


def writes(listed: ListedOrder, seq: int) -> list[dict[str, Any]]:
    """The summary's writes as transaction items, for a writer that lists the order in the transaction that
    changes it, `seq` counting the timeline entry that transaction adds: each refused if a summary of that
    seq or later is there, one computed from a read that saw an entry this writer's read did not (the order
    changed since: read it again)."""
    return [{"Update": update} for update in _updates(listed, seq, _OLDER)]


def first_copies(listed: ListedOrder, seq: int) -> list[dict[str, Any]]:
    """The copies at each of the order's partners as transaction puts, for the write that gives the order
    its first shipments (before it, the order has no copy to be newer than this one)."""
    order = listed.model_dump(mode="json", include=set(_ORDER))
    return [
        {
            "Put": {
                "TableName": table(),
                "Item": to_item(
                    {
                        **keys.listing(listed.order_id, partner_id),
                        "type": "LISTING",
                        "partner_id": partner_id,
                        **order,
                        **_attributes(listed, seq, partner_id),
                    }
                ),
            }
        }
        for partner_id in listed.partner_ids
    ]


def _updates(listed: ListedOrder, seq: int, condition: str = _NOT_OLDER) -> list[dict[str, Any]]:
    # The header must exist already (a summary never makes an order); a partner's copy may be new.
    header = header_attributes(listed, seq)
    updates = [_request(keys.order(listed.order_id), header, seq, f"attribute_exists(PK) AND {condition}")]
    order = listed.model_dump(mode="json", include=set(_ORDER))
    for partner_id in listed.partner_ids:
        copy = {"type": "LISTING", "partner_id": partner_id, **order, **_attributes(listed, seq, partner_id)}
        updates.append(_request(keys.listing(listed.order_id, partner_id), copy, seq, condition))
    return updates


def _request(key: dict[str, str], changes: dict[str, Any], seq: int, condition: str) -> dict[str, Any]:
    return {
        "TableName": table(),
        "Key": to_item(key),
        "UpdateExpression": "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(changes))),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {f"#a{i}": name for i, name in enumerate(changes)},
        "ExpressionAttributeValues": to_item({**{f":v{i}": v for i, v in enumerate(changes.values())}, ":seq": seq}),
    }


def _update_once(update: dict[str, Any]) -> bool:
    """False when the item holds a newer summary (or, for a header, does not exist)."""
    try:
        db().update_item(**update)
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def page(
    status: str | None, partner_id: str | None, limit: int, cursor: str | None
) -> tuple[list[ListedOrder], str | None]:
    """A page of orders in `status` with a shipment at `partner_id` (None: any), newest first, and the
    next page's cursor; BadCursor for a cursor this API did not give out for the same filters."""
    index, partition = keys.listed_orders(status, partner_id)
    start = cursors.decode(cursor, index, partition) if cursor else None
    kwargs: dict[str, Any] = {
        "TableName": table(),
        "IndexName": index,
        "Limit": limit,
        "ScanIndexForward": False,
        "KeyConditionExpression": "#partition = :partition",
        "ExpressionAttributeNames": {"#partition": keys.INDEX_KEYS[index][0]},
        "ExpressionAttributeValues": {":partition": value(partition)},
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    found = db().query(**kwargs)
    listed = [from_item(item) for item in found.get("Items", [])]
    return (
        [ListedOrder.model_validate({**item, **item["listing"]}) for item in listed],
        cursors.encode(found.get("LastEvaluatedKey")),
    )
