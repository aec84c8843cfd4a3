"""How many orders waiting on partners the local stack carries before it slows, and how 8 clients fare.

Runs `oms local`'s own pieces in-process (seeded stack, API emulator, HTTP server on a free port),
then, step by step, fills the stack with drop-ship orders that wait on their vendor, and at each
level measures what 8 concurrent clients see: latency of `GET /orders/{id}` and `POST /orders`,
errors, threads alive. Prints one row per level.

    .venv/bin/python -m benchmarks.local_capacity [--levels 50,100,200,400] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ORDER: dict[str, Any] = {
    "customer": {"email": "ada@example.com", "name": "Ada Lovelace"},
    "shipping_address": {
        "name": "Ada Lovelace",
        "line1": "12 St James's Sq",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
    },
    "lines": [{"sku": "DESK-OAK", "quantity": 1}],
}


def _call(url: str, method: str, path: str, key: str, body: Any = None) -> tuple[int, float]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url + path, data=data, method=method, headers={"x-api-key": key, "Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _place(url: str, key: str) -> tuple[int, float, str]:
    body = {**ORDER, "external_ref": f"BENCH-{uuid.uuid4().hex[:12]}"}
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url + "/orders", data=data, method="POST", headers={"x-api-key": key, "Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        order_id = json.loads(response.read())["order_id"]
        return response.status, time.perf_counter() - started, order_id


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(levels: list[int], clients: int) -> None:
    from local.api.emulator import ApiEmulator
    from local.api.server import start
    from local.seed import api_key_kinds, read_seed, seeded_stack
    from oms import clock

    seed = read_seed()
    key = seed["api_keys"]["storefront"]
    with seeded_stack(seed, "http://127.0.0.1:0") as (stack, template):
        server = start(stack, ApiEmulator(template, api_key_kinds(seed), stack.invoke, wall_clock=clock.now))
        url = server.url
        waiting: list[str] = []
        print(
            f"{'waiting':>8} {'threads':>8} {'fill/s':>8} {'settle s':>9} {'GET p50 ms':>11} {'GET p95 ms':>11} "
            f"{'POST p50 ms':>12} {'POST p95 ms':>12} {'errors':>7} {'RSS MB':>7}"
        )
        try:
            with ThreadPoolExecutor(max_workers=clients) as pool:
                for level in levels:
                    started = time.perf_counter()
                    placed = list(pool.map(lambda _: _place(url, key), range(level - len(waiting))))
                    waiting += [order_id for _, _, order_id in placed]
                    fill_rate = len(placed) / (time.perf_counter() - started)
                    settle_started = time.perf_counter()
                    stack.settle(timeout=600)
                    settle_seconds = time.perf_counter() - settle_started
                    reads = list(
                        pool.map(
                            lambda oid: _call(url, "GET", f"/orders/{oid}", key),
                            waiting[-100:] * (1 + 100 // max(1, len(waiting))),
                        )
                    )[:100]
                    writes = list(pool.map(lambda _: _place(url, key), range(clients * 3)))
                    waiting += [order_id for _, _, order_id in writes]
                    stack.settle(timeout=600)
                    errors = sum(1 for status, _ in reads if status != 200)
                    errors += sum(1 for status, _, _ in writes if status != 202)
                    get_ms = [seconds * 1000 for _, seconds in reads]
                    post_ms = [seconds * 1000 for _, seconds, _ in writes]
                    print(
                        f"{len(waiting):>8} {threading.active_count():>8} {fill_rate:>8.1f} {settle_seconds:>9.2f} "
                        f"{statistics.median(get_ms):>11.1f} {_percentile(get_ms, 0.95):>11.1f} "
                        f"{statistics.median(post_ms):>12.1f} {_percentile(post_ms, 0.95):>12.1f} {errors:>7} "
                        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024:>7}",
                        flush=True,
                    )
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="50,100,200,400")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    run([int(n) for n in args.levels.split(",")], args.clients)


if __name__ == "__main__":
    main()
