"""What the state machine's steps take and give back, as the definition in infra/constructs/workflow.py
passes them: the CDK app reads the field names from these models, so the two cannot drift apart."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    kind: str | None = None  # None: the round owes no email


class DispatchStep(Step):
    """Send the round's shipments to their partners, then wait (the task token) for the order's path to change."""

    order_id: str
    shipment_ids: list[str]
    task_token: str


class DeadlineStep(Step):
    """What a partner deadline's schedule passes: the shipment, and which stage of the deadline fired."""

    order_id: str
    shipment_id: str
    stage: int = 1


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
    shipment_ids: list[str]  # the shipments this round makes that no partner has been sent yet
    email: str | None  # the email kind the round owes the customer, if any


class Next(StrEnum):
    """Where the order's execution goes when it is woken: another allocation round, or its end."""

    ALLOCATE = "ALLOCATE"  # shipments to send (a receipt released units) or units to send elsewhere
    DONE = "DONE"  # nothing waits: every shipment has settled and no unit waits for stock


class Wake(Step):
    """What the waiting task is resumed with."""

    next: Next


class NotifyOutput(Step):
    sent: list[str]


class DeadlineOutput(Step):
    acted: bool  # False when the partner had moved on, or the timer fired again


class FollowupOutput(Step):
    sent: bool


class CompensateOutput(Step):
    order_id: str
    status: str
