"""Reads the app's context (stage and seed settings) and names resources stably."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnResource, RemovalPolicy
from constructs import Construct

# CONTRACT section 6: the seed's settings and their defaults. The storefront webhook secret is
# not here: a secret never travels as an environment variable.
DEFAULT_SETTINGS: dict[str, Any] = {
    "feedback_delay_days": 7,
    "feedback_delay_days_international": 14,
    "feedback_fallback_days": 21,
    "partner_accept_hours": 48,
    "merchant_country": "GB",
    "sender": "orders@merchant.example",
    "storefront_webhook_url": None,
}


@dataclass(frozen=True)
class Config:
    stage: str
    settings: dict[str, Any]

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def removal_policy(self) -> RemovalPolicy:
        # Production data outlives the stack; other stages are disposable.
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY

    @property
    def partner_secret_prefix(self) -> str:
        return f"oms/{self.stage}/partners/"

    def settings_environment(self) -> dict[str, str]:
        """The seed settings as the functions' `OMS_*` variables (null becomes empty)."""
        return {f"OMS_{key.upper()}": "" if value is None else str(value) for key, value in self.settings.items()}

    @classmethod
    def of(cls, scope: Construct) -> Config:
        stage = scope.node.try_get_context("stage") or "dev"
        overrides = scope.node.try_get_context("oms:settings") or {}
        if isinstance(overrides, str):  # `cdk deploy -c 'oms:settings={...}'` passes the JSON as text
            overrides = json.loads(overrides)
        unknown = set(overrides) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown oms:settings keys: {sorted(unknown)}")
        return cls(stage=stage, settings={**DEFAULT_SETTINGS, **overrides})


def stable_id(construct: Construct, logical_id: str) -> None:
    """Give a resource its construct id as logical id.

    Without this the id carries the construct path and a hash, so moving a construct in the
    code would replace the resource (a retained table included), and the local stack, which
    names unnamed resources after their logical id, would see names like `DataOrdersTable1A2B`.
    """
    child = construct.node.default_child
    if not isinstance(child, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to name")
    child.override_logical_id(logical_id)
