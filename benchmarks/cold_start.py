"""Cold start of every handler the template declares, each in a fresh Python process: the import of its
module (what Lambda's init phase runs), then its first invocation on its sample event from `events/`
against a fresh local stack (clients made, service models loaded, the first calls answered by moto).

The import is timed before anything else is imported in the process; the local stack is then started
(not timed) and the first invocation timed alone. The child also says whether the X-Ray SDK was imported
and which heavy packages the import pulled in. Medians over `--runs` processes per handler.

    .venv/bin/python -m benchmarks.cold_start [--runs 10] [--invoke-runs 10] [--only place_order,tracking]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
FUNCTIONS = ROOT / "functions"
# Packages worth naming when a handler's import pulls them in.
WATCHED = (
    "aws_xray_sdk",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.event_handler",
    "pydantic",
    "boto3",
    "botocore",
    "jmespath",
    "fastjsonschema",
)


def handlers() -> dict[str, str]:
    """Folder -> handler string of every Python function in the synthesized template."""
    from local.aws.synth import template

    found: dict[str, str] = {}
    for resource in template()["Resources"].values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Lambda::Function" and str(props.get("Runtime", "")).startswith("python"):
            handler = str(props["Handler"])
            found[handler.split(".", 1)[0]] = handler
    return dict(sorted(found.items()))


def child(handler: str, invoke: bool) -> dict[str, Any]:
    """In a fresh process: time the import, then (with `invoke`) the first invocation."""
    sys.path.insert(0, str(FUNCTIONS))
    module_name = handler.rpartition(".")[0]
    started = time.perf_counter()
    __import__(module_name)
    imported = time.perf_counter() - started
    loaded = {name for name in WATCHED if name in sys.modules}
    modules = len(sys.modules)
    folder = handler.split(".", 1)[0]
    event_file = EVENTS / f"{folder}.json"
    first = None
    if invoke and event_file.exists():
        first = _first_invocation(folder, json.loads(event_file.read_text()))
    return {"import_s": imported, "first_s": first, "loaded": sorted(loaded), "modules": modules}


def _first_invocation(folder: str, event: Any) -> float | None:
    import logging

    from local.cli import resign
    from local.runtime.lambda_runtime import FunctionError
    from local.seed import read_seed, seeded_stack

    logging.disable(logging.CRITICAL)
    seed = read_seed(None)
    with seeded_stack(seed, "http://127.0.0.1:3000", executions=False) as (stack, _):
        # Loading the seed ran the admin function here: its clients, session and caches go, so the first
        # invocation makes its own as a fresh environment does (botocore's modules stay imported).
        from oms import aws

        aws.reset(session=True)
        signed = resign(event, seed)
        started = time.perf_counter()
        # A sample event may ask for what the seed lacks: the time to answer is still the cold path.
        with contextlib.suppress(FunctionError):
            stack.invoke(folder, signed)
        return time.perf_counter() - started


def measure(runs: int, invoke_runs: int, only: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Medians per handler: the import over `runs` processes, the first invocation over the first
    `invoke_runs` of them (each of those starts a local stack, seconds of setup not timed)."""
    results: dict[str, dict[str, Any]] = {}
    for folder, handler in handlers().items():
        if only and folder not in only:
            continue
        samples = []
        for run in range(runs):
            invoke = ["--invoke"] if run < invoke_runs else []
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.cold_start", "--child", handler, *invoke],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
        firsts = [s["first_s"] for s in samples if s["first_s"] is not None]
        results[folder] = {
            "import_ms": statistics.median(s["import_s"] for s in samples) * 1000,
            "first_ms": statistics.median(firsts) * 1000 if firsts else None,
            "loaded": samples[-1]["loaded"],
            "modules": samples[-1]["modules"],
        }
    return results


def import_profile(handler: str, top: int = 8) -> list[tuple[str, float]]:
    """The packages whose modules cost `handler`'s import most: each module's own time (`python -X
    importtime`, the `self` column) summed by top-level package, in ms."""
    module_name = handler.rpartition(".")[0]
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            f"import sys; sys.path.insert(0, 'functions'); import {module_name}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        rows[package] = rows.get(package, 0.0) + int(own) / 1000
    return sorted(rows.items(), key=lambda row: -row[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--invoke-runs", type=int, default=10)
    parser.add_argument("--invoke", action="store_true")
    parser.add_argument("--only")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.invoke)))
        return
    only = set(args.only.split(",")) if args.only else None
    measured = measure(args.runs, args.invoke_runs, only)
    if args.out:
        with open(args.out, "w") as out:
            json.dump({"handlers": measured, "runs": args.runs, "invoke_runs": args.invoke_runs}, out, indent=2)
        return
    for folder, row in measured.items():
        first = f"{row['first_ms']:.0f}" if row["first_ms"] is not None else "-"
        print(f"{folder:18} import {row['import_ms']:6.0f} ms  first {first:>6} ms  {', '.join(row['loaded'])}")


if __name__ == "__main__":
    main()
