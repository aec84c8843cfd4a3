"""The synthesized template passes cfn-lint without errors, with the serverless rules where they apply."""

import json
import subprocess
import sys
from pathlib import Path

SERVERLESS_RULES = "cfn_lint_serverless.rules"
LINT_METADATA = "cfn-lint"
REASONS = "oms:lint-exemptions"


def _lint(template, tmp_path, *arguments):
    path = tmp_path / "Oms.template.json"
    path.write_text(json.dumps(template))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # Errors only: warnings such as W3005 (a DependsOn that a Ref already implies) are how the
    # CDK writes every function's dependency on its role policy, and WS1004 looks for a log group
    # named /aws/lambda/<name>, where each function names its own (LoggingConfig) with a retention.
    return subprocess.run(
        [str(cfn_lint), "--format", "parseable", "--ignore-checks", "W", "I", *arguments, "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_template_has_no_cfn_lint_errors(template, tmp_path):
    result = _lint(template, tmp_path, "--append-rules", SERVERLESS_RULES)

    assert result.returncode == 0, result.stdout + result.stderr


def test_prod_template_has_no_cfn_lint_errors(prod_template, tmp_path):
    result = _lint(prod_template, tmp_path, "--append-rules", SERVERLESS_RULES)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_serverless_rules_are_loaded_and_find_what_they_should(template, tmp_path):
    """Without its exemptions the template breaks the serverless rules they name: the rules run, and each
    exemption is still needed."""
    bare = json.loads(json.dumps(template))
    for resource in bare["Resources"].values():
        resource.get("Metadata", {}).pop(LINT_METADATA, None)

    result = _lint(bare, tmp_path, "--append-rules", SERVERLESS_RULES)

    found = {line.split(":")[5] for line in result.stdout.splitlines() if line.count(":") >= 6}
    exempted = {
        check
        for resource in template["Resources"].values()
        for check in resource.get("Metadata", {}).get(LINT_METADATA, {}).get("config", {}).get("ignore_checks", [])
    }
    assert exempted, "no resource is exempted from a rule"
    assert exempted <= found


def test_every_exemption_says_why(template):
    for logical_id, resource in template["Resources"].items():
        metadata = resource.get("Metadata", {})
        checks = metadata.get(LINT_METADATA, {}).get("config", {}).get("ignore_checks", [])
        reasons = metadata.get(REASONS, {})
        assert set(checks) == set(reasons), logical_id
        assert all(len(reason) > 40 for reason in reasons.values()), logical_id
