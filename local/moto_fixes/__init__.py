"""Every fix of a moto 5.2 gap the local stack needs, each named, explained and revertible."""

from __future__ import annotations

import contextvars
import copy
import functools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.events.models import Rule
from moto.events.utils import EventTemplateParser
from moto.ses.models import SESBackend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.utils import json_path

from local.aws.template import REGION
from local.runtime import settle
from oms import clock as oms_clock

_applied: dict[str, list[tuple[Any, str, Any]]] = {}


def _patch(fix: str, owner: Any, attribute: str, replacement: Any) -> None:
    _applied.setdefault(fix, []).append((owner, attribute, owner.__dict__[attribute]))
    setattr(owner, attribute, replacement)


def undo(fix: Callable[[], None]) -> None:
    """Put back what one fix replaced (tests use it to show the gap)."""
    for owner, attribute, original in reversed(_applied.pop(fix.__name__, [])):
        setattr(owner, attribute, original)


def applied() -> list[str]:
    return list(_applied)


# --- (a) DynamoDB ---------------------------------------------------------------------------------

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
    and around the request handlers that read several items at once, gives the same outcomes."""

    def locked(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            with DYNAMODB_LOCK:
                return method(*args, **kwargs)

        return call

    for name in _DYNAMODB_BACKEND_METHODS:
        _patch("serialise_dynamodb", DynamoDBBackend, name, locked(DynamoDBBackend.__dict__[name]))
    for name in _DYNAMODB_REQUESTS:
        _patch("serialise_dynamodb", DynamoHandler, name, locked(DynamoHandler.__dict__[name]))


def back_up_touched_items_only() -> None:
    """moto backs a transaction up by deep-copying every table it touches, once per item, so each
    transaction costs time and garbage in proportion to the whole table: the local stack slowed with
    every order it held. DynamoDB's all-or-nothing needs only the touched items back: save those,
    let moto's own backup be the table itself, and put the items back if the transaction fails."""
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

    _patch("back_up_touched_items_only", DynamoDBBackend, "transact_write_items", transact_write_items)


def query_one_partition() -> None:
    """moto answers a query on a table's own key by sorting every item of the table and keeping
    those of one partition, so reading one order cost more with every order stored. A query on the
    table key only ever reads its partition: let it see just that, already sorted by range key."""
    original_query, original_items = Table.__dict__["query"], Table.__dict__["all_items"]

    def all_items(table: Table) -> list[Any]:
        hash_key = _QUERIED_PARTITION.get()
        if hash_key is None or not table.range_key_attr:
            return list(original_items(table))
        partition = table.items.get(hash_key, {})  # .get: the defaultdict must not grow an empty one
        return sorted(partition.values(), key=lambda item: item.range_key)

    def query(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        on_index = kwargs.get("index_name") or (args[6] if len(args) > 6 else None)
        token = _QUERIED_PARTITION.set(None if on_index else hash_key)
        try:
            return original_query(table, hash_key, *args, **kwargs)
        finally:
            _QUERIED_PARTITION.reset(token)

    _patch("query_one_partition", Table, "all_items", all_items)
    _patch("query_one_partition", Table, "query", query)


_QUERIED_PARTITION: contextvars.ContextVar[Any] = contextvars.ContextVar("queried_partition", default=None)


# --- (b) EventBridge ------------------------------------------------------------------------------


def deliver_eventbridge_targets() -> None:
    """moto's rules deliver only to SQS, logs, archives, buses and API destinations and raise
    NotImplementedError for a Lambda or Step Functions target. EventBridge invokes those
    asynchronously: the Lambda target is invoked through moto's Lambda API (so in-process, by the
    runtime) and a Step Functions target starts an execution, each on a thread that settle counts."""
    original = Rule.__dict__["send_to_targets"]

    def send_to_targets(rule: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if not rule.event_pattern.matches_event(original_event):  # type: ignore[arg-type]
            return
        ours = [target for target in rule.targets if _service(target["Arn"]) in ("lambda", "states")]
        others = [target for target in rule.targets if target not in ours]
        for target in ours:
            event = _target_input(target, original_event) if transform_input else original_event
            settle.spawn(_deliver, target["Arn"], event, name=f"oms-local-rule-{rule.name}")
        if others:
            rest = copy.copy(rule)
            rest.targets = others
            original(rest, original_event, transform_input)

    _patch("deliver_eventbridge_targets", Rule, "send_to_targets", send_to_targets)


def _service(arn: str) -> str:
    return arn.split(":")[2] if arn.count(":") >= 5 else ""


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    delivered = {key: value for key, value in event.items() if key != "ingestion-time"}
    if isinstance(delivered.get("time"), int | float):
        delivered["time"] = datetime.fromtimestamp(delivered["time"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if "InputPath" in target:
        return json_path.extract_json(target["InputPath"], delivered)
    if "InputTransformer" in target:
        transformer = target["InputTransformer"]
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,  # type: ignore[arg-type]
        )
    return delivered


def _deliver(arn: str, event: Any) -> None:
    session = boto3.session.Session(region_name=arn.split(":")[3] or REGION)
    if _service(arn) == "lambda":
        session.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=json.dumps(event))
    else:
        session.client("stepfunctions").start_execution(
            stateMachineArn=arn, name=str(uuid.uuid4()), input=json.dumps(event)
        )


# --- (c) Step Functions sleeps --------------------------------------------------------------------

_sleep_mode = "clock"
_recorded_sleeps: list[float] = []
_tick = threading.Condition()
_SLEEP_POLL_SECONDS = 0.25


def set_sleep_mode(mode: str) -> None:
    """ "clock": sleeps follow the local clock (real time plus advances); "instant": they return at once."""
    global _sleep_mode
    if mode not in ("clock", "instant"):
        raise ValueError(f"unknown sleep mode {mode!r}")
    _sleep_mode = mode


def recorded_sleeps() -> list[float]:
    """Every interval the interpreter asked to sleep since the last clear, in order."""
    return list(_recorded_sleeps)


def clear_recorded_sleeps() -> None:
    _recorded_sleeps.clear()


def wake_sleepers() -> None:
    """Let sleepers look at the clock again now (the local clock calls this after an advance)."""
    with _tick:
        _tick.notify_all()


def sleep_on_local_clock(seconds: float, still_wanted: Callable[[], bool] = lambda: True) -> None:
    """Return once the local clock has moved `seconds` past now, or when still_wanted() turns false."""
    _recorded_sleeps.append(seconds)
    if _sleep_mode == "instant" or seconds <= 0:
        return
    deadline = oms_clock.now() + timedelta(seconds=seconds)

    def waiting() -> bool:
        return oms_clock.now() < deadline and still_wanted()

    with settle.parked(waiting):
        while waiting():
            remaining = (deadline - oms_clock.now()).total_seconds()
            with _tick:
                _tick.wait(max(0.0, min(remaining, _SLEEP_POLL_SECONDS)))


class _LocalClockTime:
    """The `time` module as the retrier sees it, with sleep on the local clock."""

    sleep = staticmethod(sleep_on_local_clock)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def clock_driven_sleeps() -> None:
    """moto's Wait states and Retry backoff sleep on real time, so an hour's Wait takes an hour and
    ignores the local clock. On AWS they follow the passage of time, which locally is the clock:
    they now end when the local clock has moved that far (advancing it wakes them; real time
    counts too), or at once in "instant" mode, recording each interval for tests."""

    def wait_interval(self: WaitFunction, env: Any, wait_seconds: int) -> None:
        sleep_on_local_clock(wait_seconds, env.is_running)

    _patch("clock_driven_sleeps", WaitFunction, "_wait_interval", wait_interval)
    _patch("clock_driven_sleeps", retrier_decl, "time", _LocalClockTime())


# --- (d) JSONPath ---------------------------------------------------------------------------------

_INDEFINITE_PATH = re.compile(r"\[\s*\*\s*\]|\[[^\]]*[:,?][^\]]*\]|\.\.|\.\*")


def _definite_extract_json(path: str, data: Any) -> Any:
    input_expr = parse(path)  # type: ignore[name-defined] # noqa: F821 - runs with json_path's globals
    matches = input_expr.find(data)
    if not matches:
        if _contains_slice_or_wildcard_array(path):  # type: ignore[name-defined] # noqa: F821
            return []
        raise NoSuchJsonPathError(json_path=path, data=data)  # type: ignore[name-defined] # noqa: F821
    if len(matches) > 1 or _OMS_INDEFINITE_PATH.search(path):  # type: ignore[name-defined] # noqa: F821
        return [match.value for match in matches]
    return matches[0].value


def definite_json_paths() -> None:
    """moto's extract_json wraps the value of a path with an index in the middle (`$.a[0].b`) in a
    list, which breaks Choice rules and parameters. In AWS's JSONPath a definite path (no
    wildcard, slice, filter, union or descent) yields its one value; only indefinite paths yield
    lists. The function is imported by name into many modules, so its code object is replaced."""
    function = json_path.extract_json
    json_path._OMS_INDEFINITE_PATH = _INDEFINITE_PATH  # type: ignore[attr-defined]
    _applied.setdefault("definite_json_paths", []).append((function, "__code__", function.__code__))
    function.__code__ = _definite_extract_json.__code__


# --- (e) SES --------------------------------------------------------------------------------------


def stamp_ses_send_time() -> None:
    """moto's sent SES messages carry no time, and the outbox must say when each was sent. The
    time the handlers see is the local clock, so each message is stamped with it as it is sent."""
    for name in ("send_email", "send_raw_email"):
        original = SESBackend.__dict__[name]

        def stamped(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            message = _original(*args, **kwargs)
            message.sent_at = oms_clock.iso()
            return message

        _patch("stamp_ses_send_time", SESBackend, name, functools.wraps(original)(stamped))


# Order matters: serialise_dynamodb wraps what the fixes before it put in place.
FIXES: tuple[Callable[[], None], ...] = (
    back_up_touched_items_only,
    query_one_partition,
    serialise_dynamodb,
    deliver_eventbridge_targets,
    clock_driven_sleeps,
    definite_json_paths,
    stamp_ses_send_time,
)


def apply_all() -> None:
    """Apply every fix not applied yet; safe to call more than once."""
    for fix in FIXES:
        if fix.__name__ not in _applied:
            fix()


def undo_all() -> None:
    for fix in reversed(FIXES):
        undo(fix)
