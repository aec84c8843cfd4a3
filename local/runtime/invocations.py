"""Which handler run executes on each thread, and the one watcher that sees every run start and end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

# What a container hands moto's Lambda: (payload JSON, errored, logs).
Outcome = tuple[str, bool, str]


@dataclass(frozen=True)
class Invocation:
    """One run of a handler: its function (logical id), its number among that function's runs (counted
    in the order they took the function's environment), and the run whose event it delivers again."""

    function: str
    ordinal: int
    request_id: str
    repeat_of: int | None = None


class Watcher(Protocol):
    """Sees every run start and finish (local/chaos.py is one): the seam for faults and duplicates."""

    def started(self, invocation: Invocation) -> None: ...

    def finished(self, invocation: Invocation, outcome: Outcome) -> bool:
        """True to deliver the same event once more, right after this run; ignored for a repeat."""
        ...


_watcher: Watcher | None = None
_running = threading.local()


@contextmanager
def watched(by: Watcher) -> Iterator[Watcher]:
    """While open, `by` sees every run of the local runtime; one watcher at a time."""
    global _watcher
    if _watcher is not None:
        raise RuntimeError("the local runtime is already watched: one chaos at a time")
    _watcher = by
    try:
        yield by
    finally:
        _watcher = None


def watcher() -> Watcher | None:
    return _watcher


@contextmanager
def running(invocation: Invocation) -> Iterator[None]:
    """Mark `invocation` as the one executing on this thread while the block runs."""
    stack: list[Invocation] = _running.__dict__.setdefault("stack", [])
    stack.append(invocation)
    try:
        yield
    finally:
        stack.pop()


def current() -> Invocation | None:
    """The run whose handler executes on this thread, if any: an AWS call made now is the handler's."""
    stack: list[Invocation] = getattr(_running, "stack", [])
    return stack[-1] if stack else None
