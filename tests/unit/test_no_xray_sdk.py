"""No function loads the AWS X-Ray SDK (in maintenance since 2026-02-25): tracing is Lambda's own."""

import json
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HANDLERS = sorted(path.parent.name for path in FUNCTIONS.glob("*/handler.py"))
# Enough environment for the handlers' modules to import; nothing is called.
ENVIRONMENT = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "oms"}
PROBE = """
import importlib, json, sys
loaded = {}
for folder in sys.argv[1:]:
    importlib.import_module(f"{folder}.handler")
    loaded[folder] = sorted(m for m in sys.modules if m.split(".")[0] == "aws_xray_sdk")
print(json.dumps(loaded))
"""


def test_there_are_handlers_to_check():
    assert len(HANDLERS) >= 13


def test_no_handler_import_loads_the_xray_sdk():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *HANDLERS],
        cwd=FUNCTIONS,
        env={**ENVIRONMENT, "PATH": "", "PYTHONPATH": str(FUNCTIONS)},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(result.stdout.splitlines()[-1])

    assert sorted(loaded) == HANDLERS
    assert {folder: modules for folder, modules in loaded.items() if modules} == {}
