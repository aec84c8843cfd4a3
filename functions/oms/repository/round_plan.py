"""What a round too big for one transaction keeps on the order header while it is written: its plan
(each chunk's writes), which chunks are done, and the header's part in each of its transactions.

`oms.repository.rounds` runs the protocol; this module only knows how a plan is split, stored and
read back, and the conditions that let each chunk through once.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from oms.repository import inventory, keys
from oms.repository import orders as repo
from oms.repository.dynamo import Cancelled, db, error_code, to_item
from oms.repository.inventory import StockAction, StockMove

PLAN = "round_plan"  # the whole round, compressed: the header's changes and each chunk's writes
PLAN_ID = "round_plan_id"
PLAN_STATE = "round_plan_state"  # WRITING, then GIVING_BACK once a write was refused or the order gave up
DONE = "round_chunks_done"  # a number set: the chunks written (and not given back)
_WRITING, _GIVING_BACK = "WRITING", "GIVING_BACK"
_PLAN_ATTRIBUTES = (PLAN, PLAN_ID, PLAN_STATE, DONE)


@dataclass(frozen=True)
class Chunk:
    """Writes that go in one transaction, with the header's update in front."""

    reservations: tuple[StockMove, ...]
    items: tuple[dict[str, Any], ...]

    def writes(self) -> list[dict[str, Any]]:
        return [*(inventory.move_item(move) for move in self.reservations), *self.items]

    def undone(self) -> list[dict[str, Any]]:
        """What takes the chunk back: its reservations released, the items its puts created deleted."""
        releases = [inventory.move_item(move._replace(action=StockAction.RELEASE)) for move in self.reservations]
        deletes = [
            {"Delete": {"TableName": put["TableName"], "Key": {name: put["Item"][name] for name in ("PK", "SK")}}}
            for put in (item["Put"] for item in self.items if "Put" in item)
        ]
        return [*releases, *deletes]

    def reservation_refused(self, refused: Cancelled) -> bool:
        """Whether one of its reservations refused the chunk's transaction."""
        return refused.failed_any(range(1, 1 + len(self.reservations)))


@dataclass(frozen=True)
class Plan:
    plan_id: str
    round: int  # the round it moves the header on from
    header: dict[str, Any]  # the round's changes to the header, made by the last chunk
    chunks: tuple[Chunk, ...]

    def encoded(self) -> bytes:
        chunks = [
            {"reserve": [[m.sku, m.location, m.quantity] for m in chunk.reservations], "items": list(chunk.items)}
            for chunk in self.chunks
        ]
        plan = {"round": self.round, "header": self.header, "chunks": chunks}
        return zlib.compress(json.dumps(plan, separators=(",", ":")).encode())

    @classmethod
    def decoded(cls, plan_id: str, body: bytes) -> Plan:
        plan = json.loads(zlib.decompress(body))
        chunks = tuple(
            Chunk(
                tuple(StockMove(StockAction.RESERVE, sku, location, qty) for sku, location, qty in chunk["reserve"]),
                tuple(chunk["items"]),
            )
            for chunk in plan["chunks"]
        )
        return cls(plan_id, plan["round"], plan["header"], chunks)


@dataclass(frozen=True)
class Progress:
    """The header as the protocol reads it: the round it is at and the plan in progress, if any."""

    round: int
    plan: Plan | None = None
    giving_back: bool = False
    done: frozenset[int] = frozenset()

    def moved_on(self, plan: Plan, chunk: int) -> bool:
        """Whether `plan` no longer waits for `chunk` to be written: gone, being given back, or done."""
        ours = self.plan is not None and self.plan.plan_id == plan.plan_id
        return not ours or self.giving_back or chunk in self.done


def chunked(reservations: Sequence[StockMove], items: Sequence[dict[str, Any]], limit: int) -> list[Chunk]:
    """The round's writes in transactions of at most `limit`, one place in each kept for the header.

    Reservations come first: they are the only writes that may be refused, so no item is written
    before every reservation holds. The last transaction, which commits the round, carries the last
    `limit - 1` writes; every write that is not a put must be among them (a put alone can be undone).
    """
    puts = [item for item in items if "Put" in item]
    others = [item for item in items if "Put" not in item]
    room = limit - 1
    if len(others) > room:
        raise ValueError(f"a round writes at most {room} items other than puts; {len(others)} given")
    writes: list[StockMove | dict[str, Any]] = [*reservations, *puts, *others]
    parts = [writes[max(0, end - room) : end] for end in range(len(writes), 0, -room)][::-1] or [[]]
    return [
        Chunk(
            tuple(w for w in part if isinstance(w, StockMove)),
            tuple(w for w in part if not isinstance(w, StockMove)),
        )
        for part in parts
    ]


def tagged(order_id: str, number: int, item: dict[str, Any]) -> dict[str, Any]:
    """A put of one of the order's items, marked with the round that writes it (see `orders.load`)."""
    put = item.get("Put")
    if put is None or put["Item"].get("PK") != {"S": keys.order_pk(order_id)}:
        return item
    return {"Put": {**put, "Item": {**put["Item"], **to_item({repo.ROUND: number})}}}


def progress(order_id: str) -> Progress:
    item = (
        db()
        .get_item(
            TableName=repo.table(),
            Key=to_item(keys.order(order_id)),
            ConsistentRead=True,
            ProjectionExpression=", ".join((repo.ROUND, *_PLAN_ATTRIBUTES)),
        )
        .get("Item")
    )
    if item is None:
        raise LookupError(f"no order {order_id}")
    number = int(item.get(repo.ROUND, {"N": "0"})["N"])
    if PLAN_ID not in item:
        return Progress(number)
    return Progress(
        number,
        Plan.decoded(item[PLAN_ID]["S"], bytes(item[PLAN]["B"])),
        item[PLAN_STATE]["S"] == _GIVING_BACK,
        frozenset(int(n) for n in item.get(DONE, {}).get("NS", [])),
    )


# --- the header's part in each transaction ---------------------------------------------------------


def _header(
    order_id: str, expression: str, condition: str, values: dict[str, Any], names: dict[str, str] | None = None
) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": repo.table(),
        "Key": to_item(keys.order(order_id)),
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": to_item(values),
    }
    if names:
        update["ExpressionAttributeNames"] = names
    return {"Update": update}


def at_once(order_id: str, expected_round: int, changes: dict[str, Any]) -> dict[str, Any]:
    """A whole round's header update, refused if another round or a plan got there first."""
    expression, names, values = repo.assignments({**changes, repo.ROUND: expected_round + 1})
    condition = f"{repo.ROUND} = :round AND attribute_not_exists({PLAN_ID})"
    return _header(order_id, expression, condition, {**values, ":round": expected_round}, names)


def begun(order_id: str, plan: Plan) -> dict[str, Any]:
    """The first chunk's: the plan stored, chunk 0 marked; refused if another round or plan got there first."""
    return _header(
        order_id,
        f"SET {PLAN} = :plan, {PLAN_ID} = :id, {PLAN_STATE} = :writing ADD {DONE} :chunk",
        f"{repo.ROUND} = :round AND attribute_not_exists({PLAN_ID})",
        {":plan": plan.encoded(), ":id": plan.plan_id, ":writing": _WRITING, ":chunk": {0}, ":round": plan.round},
    )


def chunk_done(order_id: str, plan: Plan, index: int) -> dict[str, Any]:
    """A middle chunk's: marked done; refused if it was, or if the plan is gone or being given back."""
    return _header(
        order_id,
        f"ADD {DONE} :chunk",
        f"{PLAN_ID} = :id AND {PLAN_STATE} = :writing AND NOT contains({DONE}, :index)",
        {":id": plan.plan_id, ":writing": _WRITING, ":chunk": {index}, ":index": index},
    )


def committed(order_id: str, plan: Plan) -> dict[str, Any]:
    """The last chunk's: once every other chunk is done, the round's changes, the next round, no plan."""
    changes = {**plan.header, repo.ROUND: plan.round + 1, **dict.fromkeys(_PLAN_ATTRIBUTES)}
    expression, names, values = repo.assignments(changes)
    condition = f"{PLAN_ID} = :id AND {PLAN_STATE} = :writing AND size({DONE}) = :others"
    values = {**values, ":id": plan.plan_id, ":writing": _WRITING, ":others": len(plan.chunks) - 1}
    return _header(order_id, expression, condition, values, names)


def chunk_given_back(order_id: str, plan_id: str, index: int) -> dict[str, Any]:
    """A chunk given back: its mark removed, refused if another attempt gave it back first."""
    return _header(
        order_id,
        f"DELETE {DONE} :chunk",
        f"{PLAN_ID} = :id AND {PLAN_STATE} = :giving_back AND contains({DONE}, :index)",
        {":id": plan_id, ":giving_back": _GIVING_BACK, ":chunk": {index}, ":index": index},
    )


def start_giving_back(order_id: str, plan_id: str) -> bool:
    """No more chunks of the plan may be written; False if it was no longer being written."""
    return _update_alone(
        _header(
            order_id,
            f"SET {PLAN_STATE} = :giving_back",
            f"{PLAN_ID} = :id AND {PLAN_STATE} = :writing",
            {":id": plan_id, ":giving_back": _GIVING_BACK, ":writing": _WRITING},
        )
    )


def drop_given_back(order_id: str, plan_id: str) -> bool:
    """The plan gone from the header once every chunk is given back; False while one is not."""
    return _update_alone(
        _header(
            order_id,
            "REMOVE " + ", ".join(_PLAN_ATTRIBUTES),
            f"{PLAN_ID} = :id AND {PLAN_STATE} = :giving_back AND attribute_not_exists({DONE})",
            {":id": plan_id, ":giving_back": _GIVING_BACK},
        )
    )


def _update_alone(header: dict[str, Any]) -> bool:
    """A header update outside a transaction; False if its condition refused it."""
    try:
        db().update_item(**header["Update"])
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            return False
        raise
    return True
