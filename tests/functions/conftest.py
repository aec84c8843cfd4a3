"""Function tier: each handler on moto, reached through the template's API routes or invoked as a step."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.scenario import Scenario, scenario


@pytest.fixture
def oms(template: dict[str, Any]) -> Iterator[Scenario]:
    with scenario(template) as running:
        yield running
