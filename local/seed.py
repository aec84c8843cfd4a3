"""The seed: reading a seed file, handing its settings to the functions, and a stack with it loaded."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEFAULT_SEED = Path(__file__).with_name("default_seed.json")


def read_seed(path: str | Path | None = None) -> dict[str, Any]:
    """A seed file (the shipped default without a path), with CONTRACT's values for what it leaves out."""
    from oms.models import Seed

    raw = json.loads(Path(path or DEFAULT_SEED).read_text())
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a seed is a JSON object")
    return Seed.model_validate(raw).model_dump(mode="json")


def settings_environment(seed: dict[str, Any], base_url: str) -> dict[str, str]:
    """The seed's settings as the functions' variables, mapped as on AWS (secrets are left out)."""
    from oms.settings import environment

    return {"PUBLIC_BASE_URL": base_url, **environment(seed["settings"])}


def api_key_kinds(seed: dict[str, Any]) -> dict[str, str]:
    """Key value -> which key it is, as the API emulator needs them."""
    return {value: kind for kind, value in seed["api_keys"].items()}


@contextmanager
def seeded_stack(
    seed: dict[str, Any],
    base_url: str,
    template: dict[str, Any] | None = None,
    sleep_mode: str = "clock",
    executions: bool = True,
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The synthesized template on moto with the seed loaded: (LocalStack, template)."""
    # moto, boto3 and the CDK cost seconds to import: only the commands that run a stack pay for them.
    from local.aws.synth import template as synthesized
    from local.mail_faults import refusals_from_environment
    from local.runtime.stack import local_stack
    from oms import aws, observability, settings
    from oms.repository import secrets
    from oms.seed import load_seed

    template = template or synthesized()
    environment = settings_environment(seed, base_url)
    with (
        local_stack(template, environment, sleep_mode=sleep_mode, executions=executions) as stack,
        refusals_from_environment(),
    ):
        # Clients, settings and secrets cached before the stack existed would point at nothing.
        aws.reset()
        settings.reload()
        secrets.forget()
        # So would the logger: a first synthesis imports the domain before the functions' environment exists,
        # and every handler would then log at Powertools' default level, INFO, under no service name.
        observability.logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL"))
        observability.logger.append_keys(service=os.environ.get("POWERTOOLS_SERVICE_NAME"))
        load_seed(seed)
        yield stack, template
