"""Session-wide fixtures shared by the test tiers."""

from typing import Any

import pytest

from local.aws.synth import template as synthesized_template


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """The synthesized OMS CloudFormation template (bundling skipped), built once per session.

    It comes through the local stack's cache, keyed by a hash of infra/ and functions/, so it is the
    same template `oms local` runs, and a second test process does not synthesize it again.
    """
    return synthesized_template()
