"""`oms invoke` as a user runs it: one function, one sample event, a fresh local stack."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _oms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_invoke_runs_a_handler_on_a_sample_event() -> None:
    done = _oms("invoke", "place_order", "events/place_order.json")

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout[done.stdout.index("{") :])
    assert answer["statusCode"] == 202
    assert json.loads(answer["body"])["status"] == "PLACED"


def test_invoke_names_the_functions_it_knows_when_one_is_unknown() -> None:
    done = _oms("invoke", "no_such_function", "events/place_order.json")

    assert done.returncode == 2
    assert "place_order" in done.stderr or "PlaceOrderFunction" in done.stderr
