"""The inputs of the state machine's steps, as the definition in infra/constructs/workflow.py passes them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Step(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrderStep(Step):
    order_id: str


class NotifyStep(Step):
    order_id: str
    kind: str | None = None
    shipment_id: str | None = None


class DispatchStep(Step):
    order_id: str
    shipment_id: str
    seen: str = "SENT"
    task_token: str


class CompensateStep(Step):
    order_id: str
    error: dict[str, Any] | None = None
