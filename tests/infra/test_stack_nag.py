"""cdk-nag's AwsSolutions pack on the synthesized app: every finding is fixed or acknowledged.

An acknowledgement sits next to the resource it concerns (`infra.config.acknowledge`), names one rule,
or for IAM5 one exact wildcard, and gives its reason; a new resource or grant that brings a finding
fails here until it is fixed or acknowledged the same way.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from cdk_nag import AwsSolutionsChecks

from infra.app import SKIP_BUNDLING, build_app


@pytest.fixture(scope="module", params=["dev", "prod"])
def nag_report(request: pytest.FixtureRequest) -> Any:
    """One synthesis of a fresh app per stage (bundling skipped), checked by the AwsSolutions pack: the stages
    differ where the edge does (prod's WAF, dev's acknowledgement of its absence)."""
    with tempfile.TemporaryDirectory(prefix="oms-nag-") as outdir:
        app, _ = build_app({**SKIP_BUNDLING, "stage": request.param}, outdir=outdir)
        app.synth()
        return AwsSolutionsChecks(app).validate_scope(app)


def test_every_aws_solutions_finding_is_fixed_or_acknowledged(nag_report: Any) -> None:
    findings = sorted(
        f"{violation.severity} {violation.rule_name} at {resource.construct_path}: {violation.description}"
        for violation in nag_report.violations
        for resource in violation.violating_resources
    )

    assert findings == [], "\n".join(findings)
    assert nag_report.success
