"""Function tier: each handler on moto, on its own. Executions are recorded but never run: a test
invokes the steps it needs (`Scenario.placed` invokes Allocate, NotifyOutcome and Dispatch)."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.scenario import Scenario, scenario


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template, executions=False) as handlers:
        yield handlers
