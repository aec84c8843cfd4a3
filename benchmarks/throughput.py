"""Local throughput: orders carried from POST /orders to DELIVERED through the local stack (the synthesized
state machine running, every handler in this process on moto) by `clients` concurrent clients, each
placing an order, waiting for its shipment to be sent, and posting the partner's four updates. Orders per
second over the wall time, and where the time went: each function's runs and busy seconds, and how much
of that was spent inside AWS calls (moto serving them), from `local.meter`.

    .venv/bin/python -m benchmarks.throughput [--clients 4] [--orders 80]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks import report
from benchmarks.intake import STATUSES, _track
from local.meter import meter
from tests.scenario import ORDER, Scenario, scenario

# A client looks again for its shipment this often; a client on AWS would be told by a webhook.
POLL_SECONDS = 0.01


def _one_order(oms: Scenario, n: int) -> float:
    started = time.perf_counter()
    reply = oms.request("POST", "/orders", {**ORDER, "external_ref": f"FLOW-{n}"})
    assert reply.status == 202, reply.body
    order_id = reply.json["order_id"]
    shipment_id = f"{order_id}-S1"
    while True:
        order = oms.request("GET", f"/orders/{order_id}").json
        if any(s["status"] == "SENT" for s in order["shipments"]):
            break
        time.sleep(POLL_SECONDS)
    secret = oms.secret("main-warehouse")
    for k, status in enumerate(STATUSES):
        answer = _track(oms, "main-warehouse", secret, shipment_id, status, n * 10 + k)
        assert answer.status == 202, answer.body
    return time.perf_counter() - started


def measure(template: dict[str, Any], clients: int, orders: int) -> dict[str, Any]:
    with scenario(template) as oms:
        reply = oms.request(
            "POST", "/inventory/adjustments", {"sku": "TEE-RED-M", "location": "main-warehouse", "on_hand": 10**6},
            key="admin",
        )  # fmt: skip
        assert reply.status == 200, reply.body
        for n in range(clients):  # warm every function on the path
            _one_order(oms, -1 - n)
        oms.settle()
        with meter() as reading, ThreadPoolExecutor(max_workers=clients) as pool:
            started = time.perf_counter()
            lives = list(pool.map(lambda n: _one_order(oms, n), range(orders)))
            oms.settle()
            wall = time.perf_counter() - started
        threads = threading.active_count()
    busy: dict[str, dict[str, float]] = defaultdict(lambda: {"runs": 0, "seconds": 0.0, "in_aws": 0.0})
    for run in reading.runs:
        busy[run.function]["runs"] += 1
        busy[run.function]["seconds"] += run.seconds
    for call in reading.calls:
        busy[call.function]["in_aws"] += call.seconds
    return {
        "clients": clients,
        "orders": orders,
        "wall_s": wall,
        "orders_per_s": orders / wall,
        "order_life_p50_s": sorted(lives)[len(lives) // 2],
        "threads": threads,
        "profile": dict(sorted(busy.items(), key=lambda item: -item[1]["seconds"])),
    }


def main() -> None:
    from local.aws.synth import template

    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--orders", type=int, default=80)
    parser.add_argument("--out")
    args = parser.parse_args()
    report(measure(template(), args.clients, args.orders), args.out)


if __name__ == "__main__":
    main()
