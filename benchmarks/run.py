"""`make bench`: every measurement of docs/performance.md, each part in a fresh process, then the tables
printed and written between the markers of docs/performance.md.

    .venv/bin/python -m benchmarks.run [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import cold_start, model

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".cache" / "bench"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SHAPE_NAMES = {
    "one_shipment": "one own-stock shipment",
    "three_sources": "three sources, a backorder released",
    "cancellation": "a cancellation",
}


def _part(module: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run `benchmarks.<module>` in a fresh process (its handlers' logs discarded); its JSON and seconds."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{module}.json"
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args, "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return json.loads(out.read_text()), time.perf_counter() - started


def _usd(value: float) -> str:
    return f"${value:.3f}"


def render(results: dict[str, Any]) -> str:
    prices, quotas = model.prices(), model.quotas()
    counts, intake, cold, flow = results["shapes"], results["intake"], results["cold_start"], results["throughput"]
    lines = [
        f"Measured {results['at']} on {results['machine']} by `make bench` ({results['seconds']:.0f} s); "
        f"prices as of {prices['as_of']} ({prices['region']}, `benchmarks/prices.json`).",
        "",
        "### Counts per order (local stack, `benchmarks/shapes.py`)",
        "",
        "| shape | transitions | Lambda invocations | GB-s | DynamoDB calls | read units | write units | emails "
        "| API requests | schedules fired | PutEvents | SQS messages |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, shape in counts["shapes"].items():
        dynamodb = sum(n for op, n in shape["calls"].items() if op.startswith("dynamodb:"))
        events = sum(n for op, n in shape["calls"].items() if op == "events:PutEvents")
        messages = sum(shape["invocations"].get(f, 0) for f in model.QUEUE_CONSUMERS)
        lines.append(
            f"| {SHAPE_NAMES[name]} | {shape['transitions']} | {sum(shape['invocations'].values())} | "
            f"{shape['gb_seconds']:.3f} | {dynamodb} | {shape['read_units']:.1f} | {shape['write_units']:.0f} | "
            f"{shape['emails']} | {shape['api_requests']} | {shape['schedules_fired']} | {events} | {messages} |"
        )
    lines += ["", "Lambda invocations by function:", ""]
    for name, shape in counts["shapes"].items():
        by = ", ".join(f"{f.removesuffix('Function')} {n}" for f, n in sorted(shape["invocations"].items()))
        lines.append(f"- {SHAPE_NAMES[name]}: {by}")
    lines += [
        "",
        "### Cost per 1,000 orders (USD, list prices)",
        "",
        "| shape | "
        + " | ".join(model.cost_per_order(next(iter(counts["shapes"].values())), {}, prices))
        + " | total | floor | ratio |",
        "| --- |" + " ---: |" * (len(model.cost_per_order(next(iter(counts["shapes"].values())), {}, prices)) + 3),
    ]
    for name, shape in counts["shapes"].items():
        costs = model.cost_per_order(shape, counts["functions"], prices)
        total, floor = sum(costs.values()), model.floor_per_order(shape, prices)
        cells = " | ".join(_usd(1000 * v) for v in costs.values())
        lines.append(
            f"| {SHAPE_NAMES[name]} | {cells} | **{_usd(1000 * total)}** | {_usd(1000 * floor)} | {total / floor:.2f} |"
        )
    post, track = intake["post_orders"], intake["tracking"]
    lines += [
        "",
        "### Intake (in-process on moto, `benchmarks/intake.py`)",
        "",
        "| request | requests | p50 ms | p99 ms | AWS calls of one warm request |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| POST /orders with Idempotency-Key | {post['requests']} | {post['p50_ms']:.1f} | {post['p99_ms']:.1f} | "
        f"{len(post['calls_with_key'])}: {', '.join(post['calls_with_key'])} (without a key: "
        f"{len(post['calls_without_key'])}) |",
        f"| POST /partners/{{id}}/tracking | {track['requests']} | {track['p50_ms']:.1f} | {track['p99_ms']:.1f} | "
        f"{', '.join(str(n) for n in track['calls_by_status'])} for ACCEPTED, SHIPPED, IN_TRANSIT, DELIVERED |",
        "",
        f"### Cold start (fresh process per run; import median of {cold['runs']}, first invocation median of "
        f"{cold['invoke_runs']}; `benchmarks/cold_start.py`)",
        "",
        "| handler | import ms | first invocation ms | X-Ray SDK imported | modules |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for folder, row in cold["handlers"].items():
        first = f"{row['first_ms']:.0f}" if row["first_ms"] is not None else "no sample event"
        xray = "yes" if "aws_xray_sdk" in row["loaded"] else "no"
        lines.append(f"| {folder} | {row['import_ms']:.0f} | {first} | {xray} | {row['modules']} |")
    profile = ", ".join(f"{name} {ms:.0f} ms" for name, ms in results["place_order_imports"])
    lines += [
        "",
        f"place_order's import by package (`python -X importtime`, each module's own time summed): {profile}.",
        "",
        f"### Local throughput ({flow['clients']} clients, {flow['orders']} orders to DELIVERED, "
        "`benchmarks/throughput.py`)",
        "",
        f"{flow['orders_per_s']:.2f} orders/s; an order's life p50 {flow['order_life_p50_s']:.2f} s.",
        "",
        "| function | runs | busy s | of which in AWS calls (moto) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for function, row in flow["profile"].items():
        lines.append(
            f"| {function.removesuffix('Function')} | {row['runs']} | {row['seconds']:.1f} | "
            f"{row['in_aws']:.1f} ({100 * row['in_aws'] / max(row['seconds'], 1e-9):.0f}%) |"
        )
    lines += [
        "",
        "### Scale on paper (one-shipment orders, default quotas, `benchmarks/quotas.json`)",
        "",
        "| bound | orders/s | from | past it |",
        "| --- | ---: | --- | --- |",
    ]
    for row in model.scale(counts["shapes"]["one_shipment"], quotas):
        lines.append(f"| {row['bound']} | {row['orders_per_s']:.1f} | {row['from']} | {row['past_it']} |")
    return "\n".join(lines)


def write(rendered: str) -> None:
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{rendered}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer requests and runs, for a smoke test")
    parser.add_argument("--parts", help="measure only these parts (comma-separated); the rest from the last run")
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {}
    plan: dict[str, tuple[str, ...]] = {
        "shapes": (),
        "intake": ("--requests", "100" if args.quick else "1000"),
        "throughput": ("--clients", "4", "--orders", "12" if args.quick else "60"),
        "cold_start": ("--runs", "2", "--invoke-runs", "1") if args.quick else ("--runs", "10", "--invoke-runs", "2"),
    }
    only = set(args.parts.split(",")) if args.parts else set(plan)
    for part, part_args in plan.items():
        if part not in only:
            results[part] = json.loads((OUT / f"{part}.json").read_text())
            continue
        results[part], seconds = _part(part, *part_args)
        print(f"{part}: {seconds:.0f} s", flush=True)
    results["place_order_imports"] = cold_start.import_profile(cold_start.handlers()["place_order"])
    results["seconds"] = time.perf_counter() - started
    results["at"] = time.strftime("%Y-%m-%d", time.gmtime())
    results["machine"] = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    rendered = render(results)
    print(rendered)
    if not args.quick:
        write(rendered)


if __name__ == "__main__":
    main()
