"""The chaos story at scale: N orders of every kind told cleanly, then under a fault rate with every
Lambda invoked twice; prints whether both ended the same, what the faults were, and how long each took.

`make test` tells it with 100 orders at 10 %; this is for longer stories and harsher rates.

    .venv/bin/python -m benchmarks.chaos_story [--orders 300] [--rate 0.2] [--seed 11]
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def _tell(template: dict[str, Any], orders: int, rate: float, seed: int) -> tuple[Any, Any, float]:
    from local.chaos import chaos
    from tests.chaos_story import Shop, ending, story_seed, tell
    from tests.scenario import scenario

    started = time.perf_counter()
    with scenario(template, story_seed(), executions=True) as oms:
        shop = Shop(oms)
        with chaos(rate=rate, seed=seed, twice=rate > 0) as report:
            tell(shop, orders)
        oms.settle()
        return ending(shop), report, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    from local.aws.synth import template as synthesized

    template = synthesized()
    clean, _, clean_seconds = _tell(template, args.orders, 0.0, args.seed)
    chaotic, report, chaos_seconds = _tell(template, args.orders, args.rate, args.seed)
    same = (chaotic.statuses, chaotic.lines, chaotic.emails, chaotic.stock) == (
        clean.statuses,
        clean.lines,
        clean.emails,
        clean.stock,
    )
    print(f"orders {args.orders}, fault rate {args.rate}, seed {args.seed}")
    print(f"clean: {clean_seconds:.1f} s; under chaos: {chaos_seconds:.1f} s")
    print(
        f"failed attempts {len(report.faults)}, reaching handlers {report.count()}, duplicates {len(report.duplicates)}"
    )
    print(f"emails {sum(clean.emails.values())}, any twice: {max(chaotic.emails.values()) > 1}")
    print(f"ended the same: {same}")
    if not same:
        for ref in sorted(clean.statuses):
            if (clean.statuses[ref], clean.lines[ref]) != (chaotic.statuses.get(ref), chaotic.lines.get(ref)):
                print(f"  {ref}: {clean.statuses[ref]} -> {chaotic.statuses.get(ref)}")
        print(f"  emails only clean: {sorted(set(clean.emails) - set(chaotic.emails))}")
        print(f"  emails only under chaos: {sorted(set(chaotic.emails) - set(clean.emails))}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
