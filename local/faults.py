"""Faults injected into the emulated AWS services: what AWS does under contention and moto never does.

moto never cancels a transaction for a conflict or throttles it; DynamoDB does both under load.
These context managers make the next matching transactions (or single updates) fail the way DynamoDB
fails them, so tests prove the code retries instead of failing an order. `before_transaction` lets
another writer get in just ahead of a transaction (a concurrent attempt, a competing order), and
`transactions_seen` shows what reached DynamoDB, so a test can count a write's round trips.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend

TransactItems = list[dict[str, Any]]
# Cancellation reasons DynamoDB gives a transaction that may pass when sent again.
TRANSIENT_REASONS = ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded")
_MESSAGES = {
    "TransactionConflict": "Transaction is ongoing for the item",
    "ThrottlingError": "Throughput exceeds the current capacity for one or more global secondary indexes",
    "ProvisionedThroughputExceeded": "The level of configured provisioned throughput for the table was exceeded",
}


@dataclass
class CancelledTransactions:
    """Let the first `after` transactions that `matches` through, then cancel the next `times` of them,
    on their first item, with `reason`."""

    matches: Callable[[TransactItems], bool]
    reason: str = "TransactionConflict"
    times: int = 1
    after: int = 0
    injected: int = 0
    passed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, items: TransactItems) -> bool:
        with self._lock:
            if self.injected >= self.times or not self.matches(items):
                return False
            if self.passed < self.after:
                self.passed += 1
                return False
            self.injected += 1
            return True


@dataclass
class WriterAhead:
    """Run `run` once, just before the transaction that `matches` after `after` matching ones went through."""

    matches: Callable[[TransactItems], bool]
    run: Callable[[], Any]
    after: int = 0
    seen: int = 0
    ran: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self, items: TransactItems) -> bool:
        with self._lock:
            if self.ran or not self.matches(items):
                return False
            self.seen += 1
            # Marked before it runs: the writer's own transactions pass straight through.
            self.ran = self.seen > self.after
            return self.ran


def _operation(item: dict[str, Any]) -> dict[str, Any]:
    return dict(next(iter(item.values()), {}))


def _key(item: dict[str, Any]) -> str:
    operation = _operation(item)
    key: dict[str, Any] = operation.get("Key") or operation.get("Item") or {}
    return str(key.get("PK", {}).get("S", ""))


def touching(prefix: str) -> Callable[[TransactItems], bool]:
    """Transactions that write an item whose partition key starts with `prefix` (`REF#`, `PARTNER#`)."""
    return lambda items: any(_key(item).startswith(prefix) for item in items)


def conditioned_on(text: str) -> Callable[[TransactItems], bool]:
    """Transactions with an item whose condition mentions `text` (`allocation_round`)."""
    return lambda items: any(text in str(_operation(item).get("ConditionExpression", "")) for item in items)


def every_transaction(items: TransactItems) -> bool:
    return True


@contextmanager
def _intercepted(intercept: Callable[[TransactItems], None]) -> Iterator[None]:
    """While open, `intercept` sees every transaction before DynamoDB does, and may refuse it by raising."""
    original = DynamoDBBackend.__dict__["transact_write_items"]

    def transact_write_items(backend: DynamoDBBackend, transact_items: TransactItems) -> Any:
        intercept(transact_items)
        return original(backend, transact_items)

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign,assignment]


@contextmanager
def cancelled_transactions(
    matches: Callable[[TransactItems], bool], reason: str = "TransactionConflict", times: int = 1, after: int = 0
) -> Iterator[CancelledTransactions]:
    """While open, DynamoDB cancels `times` matching transactions with `reason`, once `after` of them
    went through: a writer that dies (or gives up) part way through a series of transactions."""
    if reason not in TRANSIENT_REASONS:
        raise ValueError(f"{reason} is not a transient cancellation reason: {TRANSIENT_REASONS}")
    fault = CancelledTransactions(matches, reason, times, after)

    def cancel(items: TransactItems) -> None:
        if fault.take(items):
            first = [(reason, _MESSAGES[reason], None)]
            raise TransactionCanceledException(first + [(None, None, None)] * (len(items) - 1))

    with _intercepted(cancel):
        yield fault


@contextmanager
def before_transaction(
    matches: Callable[[TransactItems], bool], run: Callable[[], Any], after: int = 0
) -> Iterator[WriterAhead]:
    """While open, `run()` is called once, on the writer's thread, just before the matching transaction
    that follows `after` matching ones reaches DynamoDB: another writer (a second attempt of the same
    step, a competing order, a reader) gets in between two of the writer's transactions."""
    writer = WriterAhead(matches, run, after)

    def interleave(items: TransactItems) -> None:
        if writer.due(items):
            writer.run()

    with _intercepted(interleave):
        yield writer


@contextmanager
def transactions_seen(matches: Callable[[TransactItems], bool] = every_transaction) -> Iterator[list[TransactItems]]:
    """While open, every matching transaction DynamoDB receives, in order, whether its conditions pass or
    not (opened inside `cancelled_transactions`, also those the fault cancels)."""
    seen: list[TransactItems] = []
    with _intercepted(lambda items: seen.append(items) if matches(items) else None):
        yield seen


@dataclass
class ConflictingUpdates:
    """Refuse the next `times` UpdateItem calls whose condition mentions `text`."""

    text: str
    times: int = 1
    injected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, condition: str | None) -> bool:
        with self._lock:
            if self.injected >= self.times or self.text not in str(condition or ""):
                return False
            self.injected += 1
            return True


@contextmanager
def conflicting_updates(text: str, times: int = 1) -> Iterator[ConflictingUpdates]:
    """While open, DynamoDB refuses the next `times` UpdateItem calls whose condition mentions `text`
    (`listed_seq`) with `TransactionConflictException`, as it does while a transaction holds the item."""
    fault = ConflictingUpdates(text, times)
    original = DynamoDBBackend.__dict__["update_item"]

    def update_item(backend: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        if fault.take(kwargs.get("condition_expression")):
            raise DynamodbException(
                ERROR_TYPE_PREFIX + "TransactionConflictException", _MESSAGES["TransactionConflict"]
            )
        return original(backend, *args, **kwargs)

    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign,assignment]
    try:
        yield fault
    finally:
        DynamoDBBackend.update_item = original  # type: ignore[method-assign,assignment]
