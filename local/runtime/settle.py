"""Know when the local stack has settled: no Lambda running and every execution blocked on outside input."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from moto.stepfunctions.parser.utils import TMP_THREADS

_THREADING_FILE = threading.__file__
_POLL_SECONDS = 0.005
_STABLE_POLLS = 3

_lock = threading.Lock()
_in_flight = 0
_invocations = 0
# Threads parked on something only the outside world or the clock can end: ident -> "still parked?"
_parked: dict[int, Callable[[], bool]] = {}


class SettleTimeout(RuntimeError):
    """Something kept running past the settle timeout; the message names what."""


@contextlib.contextmanager
def in_flight() -> Iterator[None]:
    """Count a Lambda invocation or a delivery as running for as long as the block runs."""
    global _in_flight, _invocations
    with _lock:
        _in_flight += 1
        _invocations += 1
    try:
        yield
    finally:
        with _lock:
            _in_flight -= 1


def spawn(target: Callable[..., Any], *args: Any, name: str = "oms-local-delivery") -> threading.Thread:
    """Run target on a daemon thread that counts as in flight from before this call returns."""
    global _in_flight, _invocations
    with _lock:
        _in_flight += 1
        _invocations += 1

    def run() -> None:
        global _in_flight
        try:
            target(*args)
        finally:
            with _lock:
                _in_flight -= 1

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def parked(still_parked: Callable[[], bool]) -> Iterator[None]:
    """Mark the current thread as waiting on outside input while still_parked() holds."""
    ident = threading.get_ident()
    _parked[ident] = still_parked
    try:
        yield
    finally:
        _parked.pop(ident, None)


class Settler:
    """Waits for quiet among the interpreter threads started after it was made."""

    def __init__(self) -> None:
        self._baseline = {id(thread) for thread in list(TMP_THREADS) if thread.is_alive()}
        # Work waiting to be picked up (visible messages in a mapped queue): what -> "still waiting?"
        self._pending: dict[str, Callable[[], bool]] = {}

    def add_pending(self, what: str, waiting: Callable[[], bool]) -> None:
        """Count `what` as in flight while waiting() holds, though nothing runs for it yet."""
        self._pending[what] = waiting

    def pending(self) -> list[str]:
        return [what for what, waiting in self._pending.items() if waiting()]

    def busy_threads(self) -> list[threading.Thread]:
        frames = sys._current_frames()
        busy = []
        for thread in list(TMP_THREADS):
            if id(thread) in self._baseline or not thread.is_alive() or thread.ident is None:
                continue
            if not _is_quiet(thread.ident, frames.get(thread.ident)):
                busy.append(thread)
        return busy

    def settle(self, timeout: float = 30.0) -> None:
        """Return once nothing more happens without outside input; raise SettleTimeout otherwise."""
        deadline = time.monotonic() + timeout
        stable, last = 0, None
        _forget_finished_threads()
        while True:
            busy = self.busy_threads()
            fingerprint = (_in_flight, _invocations, len(TMP_THREADS))
            if not busy and _in_flight == 0 and not self.pending():
                stable = stable + 1 if fingerprint == last else 1
                if stable >= _STABLE_POLLS:
                    return
            else:
                stable = 0
            last = fingerprint
            if time.monotonic() > deadline:
                raise SettleTimeout(_describe(busy, self.pending()))
            time.sleep(_POLL_SECONDS)


def _is_quiet(ident: int, frame: Any) -> bool:
    still_parked = _parked.get(ident)
    if still_parked is not None:
        return still_parked()
    if frame is None or frame.f_code.co_filename != _THREADING_FILE:
        return False
    # Walk out of threading.py to find what the thread waits on and whether it is already released.
    waited_on = None
    while frame is not None and frame.f_code.co_filename == _THREADING_FILE:
        waited_on = (frame.f_code.co_name, frame.f_locals.get("self"))
        frame = frame.f_back
    if waited_on is None:
        return False
    function, primitive = waited_on
    if function == "wait" and isinstance(primitive, threading.Event):
        return not primitive.is_set()
    if function == "join" and isinstance(primitive, threading.Thread):
        return primitive.is_alive()
    # A bare Condition wait (a count-down latch of Map workers): the workers are judged themselves.
    return function == "wait"


def _forget_finished_threads() -> None:
    if len(TMP_THREADS) < 500:
        return
    for thread in [thread for thread in TMP_THREADS if not thread.is_alive() and thread.ident is not None]:
        with contextlib.suppress(ValueError):
            TMP_THREADS.remove(thread)


def _describe(busy: list[threading.Thread], pending: list[str]) -> str:
    frames = sys._current_frames()
    lines = [f"the local stack did not settle: {_in_flight} invocation(s) in flight"]
    lines.extend(f"  still waiting: {what}" for what in pending)
    for thread in busy:
        frame = frames.get(thread.ident or -1)
        where = f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}" if frame else "?"
        lines.append(f"  thread {thread.name} busy at {where}")
    return "\n".join(lines)
