"""One-time EventBridge Scheduler schedules: the order's timers (the feedback request, a partner's
deadline). Each has a name derived from what it is for, so setting it twice moves it rather than adding a
second one, and it deletes itself after it fires."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from oms import aws
from oms.settings import settings


def at(name: str, when: datetime, target_arn: str, payload: dict[str, Any]) -> str:
    """Create or move the schedule `name` to fire once at `when` (UTC) with `payload`; its expression."""
    s = settings()
    request: dict[str, Any] = {
        "Name": name,
        "GroupName": s.schedule_group_name,
        "ScheduleExpression": f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {"Arn": target_arn, "RoleArn": s.scheduler_role_arn, "Input": json.dumps(payload)},
    }
    scheduler = aws.client("scheduler")
    try:
        scheduler.create_schedule(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConflictException":
            raise
        scheduler.update_schedule(**request)
    return str(request["ScheduleExpression"])
