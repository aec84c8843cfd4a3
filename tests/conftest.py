"""Session-wide fixtures shared by the test tiers."""

from typing import Any

import pytest

from infra.app import synthesize_template


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """The synthesized OMS CloudFormation template (bundling skipped), built once per session."""
    return synthesize_template()
