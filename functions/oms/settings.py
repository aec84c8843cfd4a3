"""Settings: the merchant's (the seed's `settings`, with their defaults) and each function's environment.

`MerchantSettings` is the one source of the seed settings and their defaults: the seed model, the
CDK app (`oms:settings` context) and the local stack all derive from it, and `environment()` is the
one mapping of a setting to the `OMS_*` variable a function reads it from.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache, wraps
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import JsonDict

# Settings that never travel as an environment variable (a secret belongs in Secrets Manager).
_SECRET: JsonDict = {"secret": True}
# The template's metadata key naming the setting a resource is enabled by (a rule enabled only when the
# setting is set); the local stack reads it to apply the seed's settings as a deploy with them would.
ENABLED_BY = "OmsEnabledBy"


class MerchantSettings(BaseModel):
    """The seed's `settings` (CONTRACT section 6); a key left out takes the value shown here."""

    model_config = ConfigDict(extra="forbid")

    feedback_delay_days: int = 7
    feedback_delay_days_international: int = 14
    feedback_fallback_days: int = 21
    partner_accept_hours: int = 48
    merchant_country: str = "GB"
    sender: str = "orders@merchant.example"
    storefront_webhook_url: str | None = None
    storefront_webhook_secret: str | None = Field(default=None, json_schema_extra=_SECRET)
    # How the merchant's emails and feedback page look: its name, logo, colour and contact.
    shop_name: Annotated[str, Field(min_length=1, max_length=80)] = "Merchant Shop"
    logo_url: Annotated[str, Field(max_length=500, pattern=r"^https://\S+$")] | None = None
    accent_color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#1f5f8b"
    support_email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+$")] | None = None

    @field_validator("shop_name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if not value.strip() or any(ch in value for ch in "\r\n"):
            raise ValueError("shop_name is one line of text")
        return value.strip()


def variable(name: str) -> str:
    """The environment variable a merchant setting is read from."""
    return f"OMS_{name.upper()}"


def environment_names() -> list[str]:
    """The merchant settings that functions read from their environment (secrets never are)."""
    return [
        name
        for name, field in MerchantSettings.model_fields.items()
        if not (isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("secret"))
    ]


def environment(values: MerchantSettings | dict[str, Any]) -> dict[str, str]:
    """Merchant settings as the functions' `OMS_*` variables; null becomes empty."""
    merchant = values if isinstance(values, MerchantSettings) else MerchantSettings.model_validate(values)
    dumped = merchant.model_dump()
    return {variable(name): "" if dumped[name] is None else str(dumped[name]) for name in environment_names()}


class Settings(MerchantSettings):
    """What one function reads from its environment: resource names, then the merchant's settings."""

    model_config = ConfigDict(extra="ignore")

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
    schedule_dead_letter_queue_arn: str = ""
    followup_function_arn: str = ""
    deadline_function_arn: str = ""
    feedback_key_secret_arn: str = ""
    public_base_url: str = ""
    admin_api_key_id: str = ""
    # The API keys' values, for the authorizer to tell the parties apart: their secrets' ARNs on AWS, their
    # names (these defaults, the dev stage's) where the seed's `api_keys` are loaded into them.
    storefront_key_secret_id: str = "oms/dev/api-keys/storefront"
    admin_key_secret_id: str = "oms/dev/api-keys/admin"
    # Which routes each party may call (oms.access): a JSON object of party -> "<METHOD> /<path>" patterns.
    party_routes: str = ""
    webhook_queue_url: str = ""
    webhook_dead_letter_queue_url: str = ""
    # The secret the storefront's webhooks are signed with: its ARN on AWS, its name (this default, the dev
    # stage's) where the seed's `storefront_webhook_secret` is loaded into it.
    storefront_webhook_secret_id: str = "oms/dev/storefront-webhook"


class MissingSettings(RuntimeError):
    """A function was deployed without a resource it needs: a wiring error, not the caller's."""


@cache
def settings() -> Settings:
    merchant = set(environment_names())
    values: dict[str, str] = {}
    for name in Settings.model_fields:
        if name in MerchantSettings.model_fields and name not in merchant:
            continue
        value = os.environ.get(variable(name) if name in merchant else name.upper())
        if value not in (None, "", "null"):
            values[name] = value
    return Settings.model_validate(values)


def reload() -> Settings:
    """Read the environment again; the local stack calls this after handing functions new settings."""
    settings.cache_clear()
    return settings()


def check(*names: str) -> None:
    """Fail with a message naming every empty setting among `names` (MissingSettings)."""
    current = settings()
    missing = [name for name in names if not getattr(current, name)]
    if missing:
        variables = ", ".join(name.upper() for name in missing)
        raise MissingSettings(f"this function needs {variables} in its environment, and it is empty")


Handler = TypeVar("Handler", bound=Callable[..., Any])


def requires(*names: str) -> Callable[[Handler], Handler]:
    """Check, on a function's first invocation after each (re)load of settings, that `names` are set."""
    for name in names:
        if name not in Settings.model_fields:
            raise ValueError(f"unknown setting {name}")

    def decorate(handler: Handler) -> Handler:
        checked: list[Settings] = []

        @wraps(handler)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not checked or checked[0] is not settings():
                check(*names)
                checked[:] = [settings()]
            return handler(*args, **kwargs)

        return call  # type: ignore[return-value]

    return decorate
