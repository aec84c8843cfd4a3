"""The time every handler sees: real time, plus the offset the local stack advances."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware UTC; on AWS the offset is always zero."""
    return datetime.now(UTC) + _offset


def advance(seconds: float) -> datetime:
    """Move the clock forward; only the local stack calls this."""
    global _offset
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    with _lock:
        _offset += timedelta(seconds=seconds)
    return now()


def offset() -> timedelta:
    return _offset


def reset() -> None:
    global _offset
    with _lock:
        _offset = timedelta(0)


def iso(moment: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp with a Z, millisecond precision, as the API shows times."""
    moment = moment or now()
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
