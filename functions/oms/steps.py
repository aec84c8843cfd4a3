"""What the state machine's steps take and give back, as the definition in infra/constructs/workflow.py
passes them: the CDK app reads the field names from these models, so the two cannot drift apart."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from oms.statuses import ShipmentStatus


class Step(BaseModel):
    model_config = ConfigDict(extra="ignore")


def field(model: type[BaseModel], name: str) -> str:
    """`name`, checked to be a field of `model`: how the CDK app names a step's input and output."""
    if name not in model.model_fields:
        raise KeyError(f"{model.__name__} has no field {name}")
    return name


# --- inputs ---------------------------------------------------------------------------------------


class OrderStep(Step):
    order_id: str


class NotifyStep(Step):
    order_id: str
    kind: str | None = None
    shipment_id: str | None = None


class DispatchStep(Step):
    order_id: str
    shipment_id: str
    seen: ShipmentStatus = ShipmentStatus.SENT
    task_token: str


class CompensateStep(Step):
    order_id: str
    error: dict[str, Any] | None = None


# --- outputs --------------------------------------------------------------------------------------


class AllocationOutcome(StrEnum):
    ALLOCATED = "ALLOCATED"  # nothing waits
    BACKORDERED = "BACKORDERED"  # units wait for stock
    CANCELLED = "CANCELLED"  # every unit cancelled: nothing to ship


class AllocationOutput(Step):
    outcome: AllocationOutcome
    shipment_ids: list[str]
    email: str  # the outcome's email kind


class Progress(Step):
    """What a shipment's waiting task is resumed with: the status the shipment moved to."""

    status: ShipmentStatus


class DispatchOutput(Step):
    shipment_id: str


class NotifyOutput(Step):
    sent: list[str]


class ScheduleOutput(Step):
    schedule: str | None


class FollowupOutput(Step):
    sent: bool


class CompensateOutput(Step):
    order_id: str
    status: str
