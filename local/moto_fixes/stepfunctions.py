"""moto's Step Functions interpreter: sleeps on the local clock, definite JSONPaths."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.utils import json_path

from local.moto_fixes.patching import patch
from local.runtime import settle
from oms import clock as oms_clock

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
    counts too), or at once in "instant" mode, recording each interval for tests.
    Remove when moto's Wait states and Retry backoff take their time from a clock that can be moved.
    """

    def wait_interval(self: WaitFunction, env: Any, wait_seconds: int) -> None:
        sleep_on_local_clock(wait_seconds, env.is_running)

    patch("clock_driven_sleeps", WaitFunction, "_wait_interval", wait_interval)
    patch("clock_driven_sleeps", retrier_decl, "time", _LocalClockTime())


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
    lists. The function is imported by name into many modules, so its code object is replaced.
    Remove when moto's `json_path.extract_json` yields a definite path's value unwrapped.
    """
    function = json_path.extract_json
    json_path._OMS_INDEFINITE_PATH = _INDEFINITE_PATH  # type: ignore[attr-defined]
    patch("definite_json_paths", function, "__code__", _definite_extract_json.__code__)
