"""How fast the ops page's backend answers the order list and one order's view with 1,000 orders loaded.

Runs `oms local`'s own pieces in-process (seeded stack, API emulator, HTTP server on a free port), places
the orders through the API (drop-ship orders, most delivered by their vendor through the page's partner
route and a tenth left waiting, and some stocked ones on backorder), then times over HTTP, one request at
a time as one browser tab polls, `GET /_local/ui/api/orders` (first page, a status filter, the next page)
and `GET /_local/ui/api/orders/{id}` (the order, its execution history and the drawn state machine).
Goal: at most 300 ms each. Prints p50/p95/max.

    .venv/bin/python -m benchmarks.ops_page [--orders 1000] [--samples 60]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.local_capacity import ORDER

GOAL_MS = 300.0
BATCH = 100


def _get(url: str) -> tuple[int, float, Any]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, (time.perf_counter() - started) * 1000, json.loads(body)


def _place(url: str, key: str, sku: str) -> str:
    body = {**ORDER, "external_ref": f"OPS-{uuid.uuid4().hex[:12]}", "lines": [{"sku": sku, "quantity": 1}]}
    request = urllib.request.Request(
        url + "/orders",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"x-api-key": key, "Content-Type": "application/json"},
    )
    for _ in range(50):
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return str(json.loads(response.read())["order_id"])
        except urllib.error.HTTPError as error:
            if error.code not in (429, 503):
                raise
            time.sleep(0.2)  # the usage plan's throttle: wait as a storefront would
    raise RuntimeError("POST /orders kept being throttled")


def _post(url: str, body: Any) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _load(url: str, api: str, key: str, orders: int, stack: Any) -> list[str]:
    """Orders as a shop has them: most delivered (their executions ended), a tenth waiting on their vendor,
    some on backorder. Placed 100 at a time, each batch settled, so no more executions wait than a shop's."""
    placed: list[str] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for start in range(0, orders, BATCH):
            size = min(BATCH, orders - start)
            # One in twenty stocked (the first 15 units allocate, the rest wait on backorder).
            skus = ["TEE-RED-M" if (start + n) % 20 == 0 else "DESK-OAK" for n in range(size)]
            batch = list(pool.map(lambda sku: _place(url, key, sku), skus))
            stack.settle(timeout=600)
            delivered = [order_id for n, order_id in enumerate(batch) if skus[n] == "DESK-OAK" and n % 10 != 1]
            moves = [{"shipment_id": f"{order_id}-S1", "status": "DELIVERED"} for order_id in delivered]
            list(pool.map(lambda move: _post(f"{api}/partners/acme-vendor/tracking", move), moves))
            stack.settle(timeout=600)
            placed += batch
            print(f"  {len(placed)} orders, {len(delivered)} of the last {size} delivered", flush=True)
    return placed


def _row(name: str, millis: list[float]) -> str:
    ordered = sorted(millis)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    verdict = "ok" if ordered[-1] <= GOAL_MS else ("p95 ok" if p95 <= GOAL_MS else "over")
    return f"{name:<34} {len(ordered):>7} {statistics.median(ordered):>8.1f} {p95:>8.1f} {ordered[-1]:>8.1f}  {verdict}"


def run(orders: int, samples: int) -> None:
    from local.api.emulator import ApiEmulator
    from local.api.server import start
    from local.seed import api_key_kinds, read_seed, seeded_stack
    from oms import clock

    seed = read_seed()
    key = seed["api_keys"]["storefront"]
    with seeded_stack(seed, "http://127.0.0.1:0") as (stack, template):
        emulator = ApiEmulator(template, api_key_kinds(seed), stack.invoke, wall_clock=clock.now)
        server = start(stack, emulator)
        server.attach(stack, emulator, api_keys=seed["api_keys"])
        api = server.url + "/_local/ui/api"
        try:
            started = time.perf_counter()
            placed = _load(server.url, api, key, orders, stack)
            print(f"loaded {len(placed)} orders in {time.perf_counter() - started:.1f} s", flush=True)

            first = _get(f"{api}/orders")
            assert first[0] == 200 and len(first[2]["orders"]) == 20, first
            cursor = first[2]["next_cursor"]
            views = {
                "GET orders (first page)": lambda: f"{api}/orders",
                "GET orders?status=BACKORDERED": lambda: f"{api}/orders?status=BACKORDERED",
                "GET orders (second page)": lambda: f"{api}/orders?cursor={urllib.parse.quote(cursor)}",
                "GET orders/{id}": lambda: f"{api}/orders/{random.choice(placed)}",
            }
            print(f"{'view':<34} {'samples':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  goal {GOAL_MS:.0f} ms")
            for name, target in views.items():
                _get(target())  # one warm-up: the first call of a route pays for imports
                millis = []
                for _ in range(samples):
                    status, spent, _ = _get(target())
                    assert status == 200, (name, status)
                    millis.append(spent)
                print(_row(name, millis), flush=True)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    run(args.orders, args.samples)


if __name__ == "__main__":
    main()
