"""What the handlers ask of AWS while a meter is open: every run of a function (its duration and configured
memory) and every AWS call made inside a run, with DynamoDB's read and write request units per call.

    with meter() as reading:
        oms.placed()
    reading.calls_of("PlaceOrderFunction")     # [Call(service="dynamodb", operation="TransactWriteItems", ...)]
    reading.invocations()                      # {"PlaceOrderFunction": 1, "AllocateFunction": 1, ...}

**Which calls.** Those a handler makes while it runs (`local.runtime.invocations.current()`), as the chaos
counts them: the local stack's own calls and a test's reads are not counted. Botocore's own retries of a
throttled call are one call here (no chaos is open while a meter reads).

**DynamoDB units** follow the on-demand billing rules, from item sizes (attribute names plus values, in
bytes, as DynamoDB sizes an item): a read is one unit per 4 KB (half for an eventually consistent read; a
query or batch sums the items it returned, rounded up once per query and per batch item); a write is one
unit per KB of the item as stored after the write; a transaction counts each item twice. Every global
secondary index an item written belongs to adds a write of the item's size (an upper bound: an index that
projects fewer attributes costs less). A write's size is the item's after the write, read from moto's
table; DynamoDB charges the larger of before and after, which is the same for every write OMS makes but
a shrinking update.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.handlers import BUILTIN_HANDLERS

from local.aws.names import ACCOUNT_ID, REGION
from local.runtime import invocations
from local.runtime.invocations import Invocation, Outcome


@dataclass
class Call:
    """One AWS call of a handler run: service, operation, and DynamoDB's units for it."""

    function: str
    run: int
    service: str
    operation: str
    read_units: float = 0.0
    write_units: float = 0.0
    # PutEvents entries, SendEmail messages: what a service bills per piece rather than per call.
    pieces: int = 1
    # From the parameters given to botocore to the answer parsed: locally, moto's time to serve the call.
    seconds: float = 0.0


@dataclass
class Run:
    """One run of a function: how long it took, and the memory the template gives it."""

    function: str
    ordinal: int
    seconds: float
    memory_mb: int
    errored: bool


@dataclass
class Reading:
    """Everything seen while the meter was open."""

    runs: list[Run] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def invocations(self) -> Counter[str]:
        return Counter(run.function for run in self.runs)

    def calls_of(self, function: str | None = None) -> list[Call]:
        return [c for c in self.calls if function is None or c.function == function]

    def operations(self, function: str | None = None) -> Counter[str]:
        return Counter(f"{c.service}:{c.operation}" for c in self.calls_of(function))

    def gb_seconds(self) -> float:
        return sum(run.memory_mb / 1024 * math.ceil(run.seconds * 1000) / 1000 for run in self.runs)


class Meter:
    """A watcher of the local runtime (`local.runtime.invocations`) that times each run."""

    def __init__(self, memory: dict[str, int]) -> None:
        self.reading = Reading()
        self._memory = memory
        self._started: dict[tuple[str, int], float] = {}
        self._lock = threading.Lock()

    def started(self, invocation: Invocation) -> None:
        self._started[(invocation.function, invocation.ordinal)] = time.perf_counter()

    def finished(self, invocation: Invocation, outcome: Outcome) -> bool:
        began = self._started.pop((invocation.function, invocation.ordinal))
        run = Run(
            invocation.function,
            invocation.ordinal,
            time.perf_counter() - began,
            self._memory.get(invocation.function, 128),
            outcome[1],
        )
        with self._lock:
            self.reading.runs.append(run)
        return False

    def record(self, call: Call) -> None:
        with self._lock:
            self.reading.calls.append(call)


_active: Meter | None = None


def _params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parameter-build`: keep the call's parameters for its `after-call`."""
    if _active is not None and invocations.current() is not None:
        context["meter_params"] = params
        context["meter_started"] = time.perf_counter()


def _after_call(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    meter, invocation = _active, invocations.current()
    if meter is None or invocation is None:
        return
    service = model.service_model.service_name
    params = context.get("meter_params") or {}
    call = Call(invocation.function, invocation.ordinal, service, model.name)
    call.seconds = time.perf_counter() - context.get("meter_started", time.perf_counter())
    if service == "dynamodb" and "Error" not in parsed:
        call.read_units, call.write_units = dynamodb_units(model.name, params, parsed)
    elif service == "events" and model.name == "PutEvents":
        call.pieces = _event_chunks(params.get("Entries", []))
    meter.record(call)


def hook_clients() -> None:
    """Put the hooks in botocore's built-in handlers, once: every client made from then on carries them.
    They do nothing while no meter is open. The local stack calls this before it provisions."""
    for hook in (("before-parameter-build", _params), ("after-call", _after_call)):
        if hook not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(hook)


@contextmanager
def meter(memory: dict[str, int] | None = None) -> Iterator[Reading]:
    """While open, every handler run and its AWS calls are recorded in the reading it yields. `memory`:
    the configured MB per function logical id (the template's `MemorySize`), for GB-seconds."""
    global _active
    engine = Meter(memory or {})
    hook_clients()
    with invocations.watched(engine):
        _active = engine
        try:
            yield engine.reading
        finally:
            _active = None


# --- sizes and units ---------------------------------------------------------------------------------


def value_size(value: dict[str, Any]) -> int:
    """The size DynamoDB gives one typed attribute value, in bytes."""
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    return len(json.dumps(inner))


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


def _read(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)


def _write(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _stored(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The item as moto holds it now, in DynamoDB's typed form."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        backend = dynamodb_backends[ACCOUNT_ID][REGION]
        found = backend.get_item(table, {k: DynamoType(v) for k, v in key.items()})
    except Exception:  # noqa: BLE001 - a table or key moto does not know sizes as nothing
        return None
    return found.to_json()["Attributes"] if found else None


def _indexes_holding(table: str, item: dict[str, Any] | None) -> int:
    """How many global secondary indexes of `table` the item is in (it carries each one's keys)."""
    from moto.dynamodb.models import dynamodb_backends

    if not item:
        return 0
    try:
        indexes = dynamodb_backends[ACCOUNT_ID][REGION].get_table(table).global_indexes
    except Exception:  # noqa: BLE001
        return 0
    return sum(1 for index in indexes if all(k in item for k in index.schema_key_attrs))


def _item_write(table: str, item: dict[str, Any] | None, factor: int) -> float:
    size = item_size(item)
    return factor * _write(size) + _indexes_holding(table, item) * _write(size)


def dynamodb_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float]:
    """(read units, write units) of one successful DynamoDB call."""
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return _read(item_size(parsed.get("Item")), consistent), 0.0
    if operation in ("Query", "Scan"):
        size = sum(item_size(i) for i in parsed.get("Items", []))
        return _read(size, consistent and "IndexName" not in params), 0.0
    if operation == "BatchGetItem":
        units = 0.0
        for table, request in params.get("RequestItems", {}).items():
            found = parsed.get("Responses", {}).get(table, [])
            sizes = [item_size(i) for i in found] + [0] * (len(request.get("Keys", [])) - len(found))
            units += sum(_read(size, bool(request.get("ConsistentRead"))) for size in sizes)
        return units, 0.0
    if operation == "TransactGetItems":
        return sum(2 * _read(item_size(r.get("Item")), True) for r in parsed.get("Responses", [])), 0.0
    if operation == "PutItem":
        return 0.0, _item_write(params["TableName"], params.get("Item"), 1)
    if operation in ("UpdateItem", "DeleteItem"):
        stored = _stored(params["TableName"], params["Key"]) if operation == "UpdateItem" else None
        return 0.0, _item_write(params["TableName"], stored or params["Key"], 1)
    if operation == "TransactWriteItems":
        units = 0.0
        for entry in params.get("TransactItems", []):
            (kind, request), *_ = entry.items()
            if kind == "Put":
                item = request.get("Item")
            elif kind == "Update":
                item = _stored(request["TableName"], request["Key"])
            else:
                item = request.get("Key")
            units += _item_write(request["TableName"], item, 2)
        return 0.0, units
    if operation == "BatchWriteItem":
        units = 0.0
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                item = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key")
                units += _item_write(table, item, 1)
        return 0.0, units
    return 0.0, 0.0


def _event_chunks(entries: list[dict[str, Any]]) -> int:
    """EventBridge bills each 64 KB chunk of a PutEvents entry as one event."""
    return sum(max(1, math.ceil(len(json.dumps(entry).encode()) / 65536)) for entry in entries)
