"""The synthesized template passes cfn-lint without errors."""

import json
import subprocess
import sys
from pathlib import Path


def test_template_has_no_cfn_lint_errors(template, tmp_path):
    _lint(template, tmp_path)


def test_prod_template_has_no_cfn_lint_errors(prod_stage_template, tmp_path):
    _lint(prod_stage_template, tmp_path)


def _lint(template, tmp_path):
    path = tmp_path / "Oms.template.json"
    path.write_text(json.dumps(template))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    # Errors only: warnings such as W3005 (a DependsOn that a Ref already implies) are how the
    # CDK writes every function's dependency on its role policy, not defects of this stack.
    result = subprocess.run(
        [str(cfn_lint), "--format", "parseable", "--ignore-checks", "W", "I", "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
