"""Workflow tier: the synthesized state machine executing on moto, with the real handlers in-process."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.scenario import Scenario, scenario


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, executions=True) as running:
        yield running
