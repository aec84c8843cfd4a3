"""The CDK app: builds the OMS stack from cdk.json's context plus overrides, and synthesizes it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from aws_cdk import App

from infra.config import stage_of
from infra.stack import OmsStack

ROOT = Path(__file__).resolve().parent.parent
STACK_ID = "Oms"
# Skips every bundling step (the layer's pip install): for tests and the local stack.
SKIP_BUNDLING: dict[str, Any] = {"aws:cdk:bundling-stacks": []}


def _cdk_json_context() -> dict[str, Any]:
    # The CLI passes cdk.json's context itself; read it here too so that a synth from Python
    # (tests, the local stack) sees the same feature flags as `cdk deploy`.
    cdk_json = ROOT / "cdk.json"
    return json.loads(cdk_json.read_text()).get("context", {}) if cdk_json.exists() else {}


def oms_stack(app: App) -> OmsStack:
    # One CloudFormation stack per stage (Oms-dev, Oms-prod): deploying dev can never update the prod stack
    # of the same account and region, and with it the prod tables' retention and deletion protection.
    return OmsStack(
        app, STACK_ID, stack_name=f"{STACK_ID}-{stage_of(app)}", description="OMS: serverless order management"
    )


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> tuple[App, OmsStack]:
    app = App(context={**_cdk_json_context(), **(context or {})}, outdir=outdir)
    return app, oms_stack(app)


def synthesize_template(context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stack's CloudFormation template, synthesized without bundling."""
    with tempfile.TemporaryDirectory(prefix="oms-cdk-") as outdir:
        app, stack = build_app({**(context or {}), **SKIP_BUNDLING}, outdir=outdir)
        assembly = app.synth()
        template: dict[str, Any] = assembly.get_stack_artifact(stack.artifact_id).template
        return template


if __name__ == "__main__":
    # Under the CDK CLI the context arrives through the environment, so App() reads it.
    oms_app = App()
    oms_stack(oms_app)
    oms_app.synth()
