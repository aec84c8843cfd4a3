"""moto's DynamoDB backend: conditional writes serialised, transactions and queries that cost what DynamoDB's do."""

from __future__ import annotations

import base64
import contextvars
import copy
import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from local.moto_fixes.patching import patch

DYNAMODB_LOCK = threading.RLock()
_DYNAMODB_BACKEND_METHODS = (
    "create_table",
    "delete_table",
    "update_table",
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "transact_write_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)
_DYNAMODB_REQUESTS = ("batch_get_item", "batch_write_item", "transact_get_items")


def serialise_dynamodb() -> None:
    """moto's DynamoDB backend checks a condition and writes in separate steps without a lock, so
    concurrent conditional writes all pass (8 threads decrementing stock 100 succeeded 163 times).
    DynamoDB serialises writes to an item; one re-entrant lock around every backend read and write,
    and around the request handlers that read several items at once, gives the same outcomes.
    Remove when moto's DynamoDB backend serialises conditional writes (the oversell test passes undone).
    """

    def locked(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            with DYNAMODB_LOCK:
                return method(*args, **kwargs)

        return call

    for name in _DYNAMODB_BACKEND_METHODS:
        patch("serialise_dynamodb", DynamoDBBackend, name, locked(DynamoDBBackend.__dict__[name]))
    for name in _DYNAMODB_REQUESTS:
        patch("serialise_dynamodb", DynamoHandler, name, locked(DynamoHandler.__dict__[name]))


def back_up_touched_items_only() -> None:
    """moto backs a transaction up by deep-copying every table it touches, once per item, so each
    transaction costs time and garbage in proportion to the whole table: the local stack slowed with
    every order it held. DynamoDB's all-or-nothing needs only the touched items back: save those,
    let moto's own backup be the table itself, and put the items back if the transaction fails.
    Remove when moto's `transact_write_items` stops deep-copying whole tables to back a transaction up.
    """
    import moto.dynamodb.models as models

    original = DynamoDBBackend.__dict__["transact_write_items"]

    class _TablesNotCopied:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for item in transact_items:
            op: dict[str, Any] = next(iter(item.values()), {})
            table = backend.tables.get(str(op.get("TableName")))
            if table is None:
                continue
            key = op.get("Key") or {
                name: op.get("Item", {}).get(name) for name in (table.hash_key_attr, table.range_key_attr) if name
            }
            saved.append((op["TableName"], key, copy.deepcopy(backend.get_item(op["TableName"], key))))
        models.copy = _TablesNotCopied  # type: ignore[assignment]
        try:
            original(backend, transact_items)
        except Exception:
            for table_name, key, before in reversed(saved):
                table = backend.tables[table_name]
                now = backend.get_item(table_name, key)
                if now is not None:
                    table.delete_item(now.hash_key, now.range_key)
                if before is not None:
                    table.put_item(before.to_json()["Attributes"])
            raise
        finally:
            models.copy = copy  # type: ignore[assignment]

    patch("back_up_touched_items_only", DynamoDBBackend, "transact_write_items", transact_write_items)


def query_one_partition() -> None:
    """moto answers a query on a table's own key by sorting every item of the table and keeping
    those of one partition, so reading one order cost more with every order stored. A query on the
    table key only ever reads its partition: let it see just that, already sorted by range key.
    A query on an index sorts the items it keeps by the index's keys and the table's itself, so
    the sort of the whole table moto does first (every key compared, in Python) only costs: an
    index query sees the table's items unsorted, and returns the same items in the same order.
    Remove when moto's `Table.query` reads only the queried partition.
    """
    original_query, original_items = Table.__dict__["query"], Table.__dict__["all_items"]

    def all_items(table: Table) -> list[Any]:
        hash_key = _QUERIED_PARTITION.get()
        if hash_key is _ON_INDEX and table.range_key_attr:
            return [item for partition in table.items.values() for item in partition.values()]
        if hash_key is None or hash_key is _ON_INDEX or not table.range_key_attr:
            return list(original_items(table))
        partition = table.items.get(hash_key, {})  # .get: the defaultdict must not grow an empty one
        return sorted(partition.values(), key=lambda item: item.range_key)

    def query(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        on_index = kwargs.get("index_name") or (args[6] if len(args) > 6 else None)
        token = _QUERIED_PARTITION.set(_ON_INDEX if on_index else hash_key)
        try:
            return original_query(table, hash_key, *args, **kwargs)
        finally:
            _QUERIED_PARTITION.reset(token)

    patch("query_one_partition", Table, "all_items", all_items)
    patch("query_one_partition", Table, "query", query)


_QUERIED_PARTITION: contextvars.ContextVar[Any] = contextvars.ContextVar("queried_partition", default=None)
_ON_INDEX = object()  # the query is on an index: any order of the table's items will do


class _NotPlainJson(Exception):
    """A result holding something only the shape-driven serializer writes right (a timestamp)."""


def _wire(value: Any) -> Any:
    """A DynamoDB result as its JSON wire form: binary values base64-encoded, everything else as it is."""
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, str | int | float):
        return value
    raise _NotPlainJson(type(value).__name__)


def answer_item_results_as_json() -> None:
    """moto writes every DynamoDB result through its generic, shape-driven response serializer, which
    looks each attribute of each item up in the service model: reading one order back (its header,
    shipments and timeline) cost more than the rest of a handler's run, a third of a test's time. A
    result of items (`DynamoResult`: get, put, update, delete, query, scan, batch and transaction
    reads) is already DynamoDB's JSON wire form once moto has expanded its `DynamoType`s, bar binary
    values, which the wire carries base64-encoded: write it as JSON directly, with the content type
    DynamoDB answers with. A result holding anything else (a timestamp) still goes through moto's
    serializer. The test holds the two answers equal on every attribute type and item operation.
    Remove when moto's serializer costs what `json.dumps` does.
    """
    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result

    def execute_result(result: Any, context: Any) -> Any:
        try:
            body = json.dumps(_wire(result.result))
        except _NotPlainJson:
            return original(result, context)
        version = context.service_model.metadata.get("jsonVersion", "1.0")
        return 200, {"Content-Type": f"application/x-amz-json-{version}"}, body

    patch("answer_item_results_as_json", DynamoResult, "execute_result", execute_result)
