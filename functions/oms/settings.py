"""The settings a function reads from its environment, parsed once per cold start."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel


class Settings(BaseModel):
    orders_table: str = ""
    inventory_table: str = ""
    catalog_table: str = ""
    idempotency_table: str = ""
    event_bus_name: str = ""
    partner_secret_prefix: str = "oms/dev/partners/"
    ses_configuration_set: str | None = None
    state_machine_arn: str = ""
    schedule_group_name: str = ""
    scheduler_role_arn: str = ""
    followup_function_arn: str = ""
    feedback_key_secret_arn: str = ""
    public_base_url: str = ""
    sender: str = "orders@merchant.example"
    merchant_country: str = "GB"
    feedback_delay_days: int = 7
    feedback_delay_days_international: int = 14
    feedback_fallback_days: int = 21
    partner_accept_hours: int = 48
    storefront_webhook_url: str | None = None


_PREFIXED = {
    "sender",
    "merchant_country",
    "feedback_delay_days",
    "feedback_delay_days_international",
    "feedback_fallback_days",
    "partner_accept_hours",
    "storefront_webhook_url",
}


@cache
def settings() -> Settings:
    values: dict[str, str] = {}
    for name in Settings.model_fields:
        variable = f"OMS_{name.upper()}" if name in _PREFIXED else name.upper()
        value = os.environ.get(variable)
        if value not in (None, "", "null"):
            values[name] = value
    return Settings.model_validate(values)


def reload() -> Settings:
    """Read the environment again; the local stack calls this after handing functions new settings."""
    settings.cache_clear()
    return settings()
