"""What a handler's import loads: no function loads the AWS X-Ray SDK (in maintenance since 2026-02-25:
tracing is Lambda's own), and none loads boto3 (and with it s3transfer, about 75 ms of a cold start) unless
its path uses it: clients come from botocore's session and items are typed by `oms.repository.attributes`.
Only `admin_api` loads boto3, through Powertools Idempotency, which keeps its stock receipts once."""

import json
import subprocess
import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HANDLERS = sorted(path.parent.name for path in FUNCTIONS.glob("*/handler.py"))
USES_BOTO3 = {"admin_api"}
# Enough environment for the handlers' modules to import; nothing is called.
ENVIRONMENT = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "oms"}
# Imports the handlers in the order given, noting after each which of the watched packages are loaded: a
# package first seen after a handler's import was loaded by that handler (or one before it).
PROBE = """
import importlib, json, sys
watched = {"aws_xray_sdk", "boto3", "s3transfer"}
loaded = {}
for folder in sys.argv[1:]:
    importlib.import_module(f"{folder}.handler")
    loaded[folder] = sorted({m.split(".")[0] for m in sys.modules} & watched)
print(json.dumps(loaded))
"""


def _loaded() -> dict[str, list[str]]:
    """The watched packages loaded as of each handler's import, those that use boto3 imported last."""
    order = sorted(HANDLERS, key=lambda folder: (folder in USES_BOTO3, folder))
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *order],
        cwd=FUNCTIONS,
        env={**ENVIRONMENT, "PATH": "", "PYTHONPATH": str(FUNCTIONS)},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    assert sorted(loaded) == HANDLERS
    return loaded


def test_there_are_handlers_to_check():
    assert len(HANDLERS) >= 13


def test_no_handler_import_loads_the_xray_sdk_nor_boto3_unless_its_path_uses_boto3():
    loaded = _loaded()

    assert {folder: m for folder, m in loaded.items() if "aws_xray_sdk" in m} == {}
    assert {folder: m for folder, m in loaded.items() if m and folder not in USES_BOTO3} == {}
    assert loaded["admin_api"] == ["boto3", "s3transfer"]  # the probe can see boto3 when it is there
