"""Reads the app's context (stage and seed settings) and names resources stably."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import Acknowledgment, CfnResource, RemovalPolicy, Validations
from constructs import Construct

from oms.settings import MerchantSettings, environment, environment_names

# CONTRACT section 6: the seed's settings and their defaults, from the one model the functions use.
DEFAULT_SETTINGS: dict[str, Any] = MerchantSettings().model_dump()
# A secret never travels as context or an environment variable: it belongs in Secrets Manager.
SECRET_SETTINGS = frozenset(DEFAULT_SETTINGS) - frozenset(environment_names())
# A stage names the stack (Oms-<stage>), the API stage and the secrets' prefix (oms/<stage>/...).
STAGE_PATTERN = re.compile(r"[a-z][a-z0-9]{0,15}")


def stage_of(scope: Construct) -> str:
    """The stage from the context (`cdk deploy -c stage=prod`), `dev` without one; only `prod` keeps data."""
    stage = scope.node.try_get_context("stage") or "dev"
    if not isinstance(stage, str) or not STAGE_PATTERN.fullmatch(stage):
        raise ValueError(f"stage {stage!r}: lowercase letters and digits, starting with a letter, at most 16")
    return stage


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

    @property
    def storefront_secret_name(self) -> str:
        return f"oms/{self.stage}/storefront-webhook"

    def settings_environment(self) -> dict[str, str]:
        """The seed settings as the functions' `OMS_*` variables (null becomes empty)."""
        return environment(self.settings)

    @classmethod
    def of(cls, scope: Construct) -> Config:
        stage = stage_of(scope)
        overrides = scope.node.try_get_context("oms:settings") or {}
        if isinstance(overrides, str):  # `cdk deploy -c 'oms:settings={...}'` passes the JSON as text
            overrides = json.loads(overrides)
        unknown = set(overrides) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown oms:settings keys: {sorted(unknown)}")
        secrets = set(overrides) & SECRET_SETTINGS
        if secrets:
            raise ValueError(f"oms:settings {sorted(secrets)} are secrets: keep them in Secrets Manager, not context")
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


def exempt_from_lint(construct: Construct, check: str, reason: str) -> None:
    """Tell cfn-lint that rule `check` does not apply to `construct`'s resource, and record why.

    cfn-lint reads `Metadata.cfn-lint.config.ignore_checks`; the reason sits beside it under
    `oms:lint-exemptions`, so the template says why (tests/infra/test_stack_cfn_lint.py requires it).
    """
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to exempt")
    ignored = resource.get_metadata("cfn-lint") or {"config": {"ignore_checks": []}}
    ignored["config"]["ignore_checks"].append(check)
    resource.add_metadata("cfn-lint", ignored)
    reasons = resource.get_metadata("oms:lint-exemptions") or {}
    resource.add_metadata("oms:lint-exemptions", {**reasons, check: reason})


def acknowledge(construct: Construct, finding: str, reason: str) -> None:
    """Acknowledge one cdk-nag AwsSolutions finding on `construct` and its children, with its reason.

    `finding` is the rule (`L1`) or, for a rule with one finding per wildcard, the rule and the exact
    wildcard (`IAM5[Resource::<OrdersTable.Arn>/index/*]`); tests/infra/test_stack_nag.py fails on any
    finding not acknowledged this way.
    """
    Validations.of(construct).acknowledge(Acknowledgment(id=f"AwsSolutions-{finding}", reason=reason))
