"""Intake latency: POST /orders (with an Idempotency-Key) and the partner tracking handler, each request
through the API emulator to its handler in this process on moto, with no execution running (the function
tier's stack), timed from the request to its answer; p50 and p99 over `requests` of each, and the AWS calls
one warm request makes (`local.meter`).

    .venv/bin/python -m benchmarks.intake [--requests 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from typing import Any

from benchmarks import report
from local.meter import meter
from oms.signatures import HEADER, sign
from tests.scenario import ORDER, Scenario, scenario

STATUSES = ("ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _post(oms: Scenario, n: int, key: bool = True) -> Any:
    body = {**ORDER, "external_ref": f"INTAKE-{n}"}
    headers = {"Idempotency-Key": f"intake-{n}"} if key else None
    return oms.request("POST", "/orders", body, headers=headers)


def _track(oms: Scenario, partner: str, secret: str, shipment_id: str, status: str, n: int) -> Any:
    body: dict[str, Any] = {
        "event_id": f"intake-{n}",
        "shipment_id": shipment_id,
        "status": status,
        "occurred_at": "2026-11-26T10:00:00Z",
    }
    if status == "SHIPPED":
        body.update(carrier="UPS", tracking_number="1Z999AA10123456784")
    raw = json.dumps(body).encode()
    headers = {HEADER: sign(secret, raw, int(time.time())), "Content-Type": "application/json"}
    return oms.request("POST", f"/partners/{partner}/tracking", key=None, raw=raw, headers=headers)


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(samples) * 1000,
        "p99_ms": _percentile(samples, 0.99) * 1000,
        "max_ms": max(samples) * 1000,
    }


def measure(template: dict[str, Any], requests: int) -> dict[str, Any]:
    with scenario(template, executions=False) as oms:
        reply = oms.request(
            "POST", "/inventory/adjustments", {"sku": "TEE-RED-M", "location": "main-warehouse", "on_hand": 10**6},
            key="admin",
        )  # fmt: skip
        assert reply.status == 200, reply.body
        for n in range(5):  # warm: clients made, the catalogue's SKUs known
            _post(oms, -1 - n)
        with meter() as keyed:
            _post(oms, -10)
        with meter() as plain:
            _post(oms, -11, key=False)
        posts: list[float] = []
        order_ids: list[str] = []
        for n in range(requests):
            started = time.perf_counter()
            reply = _post(oms, n)
            posts.append(time.perf_counter() - started)
            assert reply.status == 202, reply.body
            order_ids.append(reply.json["order_id"])
        secret = oms.secret("main-warehouse")
        shipments = []
        for order_id in order_ids[: max(1, requests // len(STATUSES)) + 2]:
            oms.run_steps(order_id)
            shipments.append(f"{order_id}-S1")
        for k, status in enumerate(STATUSES):  # warm: the partner's secret read and cached
            _track(oms, "main-warehouse", secret, shipments[-2], status, -10 - k)
        warm_shipment = shipments.pop()
        shipments.pop()
        with meter() as tracked:
            for k, status in enumerate(STATUSES):
                _track(oms, "main-warehouse", secret, warm_shipment, status, -1 - k)
        updates: list[float] = []
        n = 0
        for shipment_id in shipments:
            for status in STATUSES:
                started = time.perf_counter()
                reply = _track(oms, "main-warehouse", secret, shipment_id, status, n)
                updates.append(time.perf_counter() - started)
                assert reply.status == 202, reply.body
                n += 1
    per_update = Counter({k: v / len(STATUSES) for k, v in tracked.operations("TrackingFunction").items()})
    return {
        "post_orders": {
            **_summary(posts),
            "requests": len(posts),
            "calls_with_key": [f"{c.service}:{c.operation}" for c in keyed.calls_of("PlaceOrderFunction")],
            "calls_without_key": [f"{c.service}:{c.operation}" for c in plain.calls_of("PlaceOrderFunction")],
        },
        "tracking": {
            **_summary(updates),
            "requests": len(updates),
            "calls_per_update": dict(per_update),
            "calls_by_status": [
                len([c for c in tracked.calls_of("TrackingFunction") if c.run == run.ordinal])
                for run in tracked.runs
                if run.function == "TrackingFunction"
            ],
        },
    }


def main() -> None:
    from local.aws.synth import template

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--out")
    args = parser.parse_args()
    report(measure(template(), args.requests), args.out)


if __name__ == "__main__":
    main()
