"""The one local clock: advancing it moves `oms.clock` and fires the Scheduler schedules now due."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from local import moto_fixes
from local.aws import clients
from oms import clock as oms_clock

log = logging.getLogger("local.runtime.clock")

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_MAX_FIRING_ROUNDS = 100


class LocalClock:
    """Real time plus every advance so far; fires one-time `at()` schedules, as EventBridge Scheduler does."""

    def __init__(self, settle: Callable[[], None]) -> None:
        self._settle = settle
        self._fired: set[tuple[str, str, str]] = set()
        self._firing = threading.Lock()
        # Every schedule fired, in order, by an advance or by the ticker.
        self._log: list[str] = []
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    def now(self) -> datetime:
        return oms_clock.now()

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the clock, fire every schedule now due, and return once what fired has settled.

        What fired includes schedules the real-time ticker fired while the advance was settling: once
        the clock has moved they are due, and whichever of the two gets there first fires them."""
        start = len(self._log)
        oms_clock.advance(seconds)
        moto_fixes.wake_sleepers()
        self._settle()
        for _ in range(_MAX_FIRING_ROUNDS):
            seen = len(self._log)
            self.fire_due()
            self._settle()
            if len(self._log) == seen:
                break
        return {"now": oms_clock.iso(), "fired": self._log[start:]}

    def fire_due(self) -> list[str]:
        """Fire each enabled `at()` schedule whose time has come, once; names of those fired."""
        with self._firing:
            scheduler = clients.client("scheduler")
            fired = []
            for summary in _all_schedules(scheduler):
                schedule: dict[str, Any] = dict(
                    scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
                )
                key = (schedule["Arn"], schedule["ScheduleExpression"], str(schedule.get("LastModificationDate")))
                if key in self._fired or schedule.get("State", "ENABLED") != "ENABLED":
                    continue
                due_at = _due_at(schedule)
                if due_at is None or due_at > oms_clock.now():
                    continue
                self._fired.add(key)
                self._deliver(schedule)
                fired.append(schedule["Name"])
                self._log.append(schedule["Name"])
                if schedule.get("ActionAfterCompletion") == "DELETE":
                    scheduler.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
            return fired

    def start_ticker(self, interval: float = 1.0) -> None:
        """Fire due schedules on real time in the background (for `oms local`)."""
        if self._ticker is not None:
            return
        self._stop.clear()

        def tick() -> None:
            while not self._stop.wait(interval):
                try:
                    self.fire_due()
                except Exception:  # noqa: BLE001 - the ticker must outlive one bad schedule
                    log.exception("firing due schedules failed")

        self._ticker = threading.Thread(target=tick, name="oms-local-clock-ticker", daemon=True)
        self._ticker.start()

    def stop_ticker(self) -> None:
        if self._ticker is None:
            return
        self._stop.set()
        self._ticker.join(timeout=5)
        self._ticker = None

    def _deliver(self, schedule: dict[str, Any]) -> None:
        target = schedule["Target"]
        arn, payload = target["Arn"], target.get("Input", "{}")
        service = arn.split(":")[2]
        if service == "lambda":
            # Scheduler invokes asynchronously: errors are the target's, not the clock's.
            clients.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=payload)
        elif service == "states":
            clients.client("stepfunctions").start_execution(stateMachineArn=arn, name=str(uuid.uuid4()), input=payload)
        elif service == "sqs":
            url = clients.client("sqs").get_queue_url(QueueName=arn.split(":")[-1])["QueueUrl"]
            clients.client("sqs").send_message(QueueUrl=url, MessageBody=payload)
        else:
            log.warning("schedule %s targets %s, which the local clock cannot deliver", schedule["Name"], arn)


def _all_schedules(scheduler: Any) -> list[dict[str, Any]]:
    schedules: list[dict[str, Any]] = []
    for page in scheduler.get_paginator("list_schedules").paginate():
        schedules.extend(page["Schedules"])
    return schedules


def _due_at(schedule: dict[str, Any]) -> datetime | None:
    match = _AT.match(schedule["ScheduleExpression"].strip())
    if match is None:
        log.debug("schedule %s is not a one-time at() schedule; not fired locally", schedule["Name"])
        return None
    zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone") or "UTC")
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)
