"""The `oms` command: the local stack, one handler on a sample event, seeding a running stack, and the demo."""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import shlex
import signal
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from local.seed import api_key_kinds, read_seed, seeded_stack

if TYPE_CHECKING:
    from local.chaos import ChaosReport

EXAMPLE_ORDER: dict[str, Any] = {
    "external_ref": "SHOP-10023",
    "customer": {"email": "ada@example.com", "name": "Ada Lovelace"},
    "shipping_address": {
        "name": "Ada Lovelace",
        "line1": "12 St James's Sq",
        "line2": None,
        "city": "London",
        "region": None,
        "postal_code": "SW1Y 4JH",
        "country": "GB",
    },
    "lines": [{"sku": "TEE-RED-M", "quantity": 2}],
    "backorder_policy": "ship_available",
}


def _local(args: argparse.Namespace) -> int:
    from local.api.emulator import ApiEmulator
    from local.api.server import serve
    from local.chaos import chaos
    from oms import clock

    seed = read_seed(args.seed)
    _stop_on_signals()
    try:
        # Bound before the stack starts: the feedback links need the server's URL as PUBLIC_BASE_URL.
        server = serve(None, None, args.host, args.port, verbose=True)
    except OSError as error:
        print(f"oms local: cannot listen on {args.host}:{args.port}: {error.strerror}; try --port", file=sys.stderr)
        return 1
    try:
        chaotic = args.faults > 0 or args.twice > 0
        wanted = chaos(args.faults, args.faults_seed, args.twice) if chaotic else contextlib.nullcontext()
        with seeded_stack(seed, server.url) as (stack, template), wanted as report:
            emulator = ApiEmulator(template, api_key_kinds(seed), stack.invoke, wall_clock=clock.now)
            server.attach(stack, emulator, chaos=report, api_keys=seed["api_keys"])
            # Schedules fall due in real time too, not only when the clock is advanced.
            stack.clock.start_ticker()
            print(banner(server.url, seed, stack.resources.state_machine_arn, report), flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                print("\nStopping the local stack.", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _stop_on_signals() -> None:
    """Ctrl-C and `kill` both stop the stack cleanly, even when started where SIGINT is ignored
    (a background job of a non-interactive shell inherits SIGINT ignored)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def banner(
    url: str, seed: dict[str, Any], state_machine_arn: str = "<state machine ARN>", chaos: ChaosReport | None = None
) -> str:
    """What `oms local` prints: where it is, the keys, the AWS endpoint, one order ready to place, and the
    chaos when `--faults` or `--twice` asked for it."""
    storefront, admin = seed["api_keys"]["storefront"], seed["api_keys"]["admin"]
    order = {**EXAMPLE_ORDER, "external_ref": f"SHOP-{uuid.uuid4().hex[:8].upper()}"}
    curl = shlex.join(
        [
            "curl",
            "-sS",
            "-X",
            "POST",
            f"{url}/orders",
            "-H",
            f"x-api-key: {storefront}",
            "-H",
            "Content-Type: application/json",
            "-d",
            json.dumps(order),
        ]
    )
    executions = ["aws", "--endpoint-url", url, "--region", "us-east-1", "stepfunctions", "list-executions"]
    scan = ["aws", "--endpoint-url", url, "--region", "us-east-1", "dynamodb", "scan", "--table-name", "OrdersTable"]
    chaos_lines = []
    if chaos is not None:
        chaos_lines = [
            f"  chaos           {chaos.rate * 100:g}% of the handlers' AWS calls fail (seed {chaos.seed}), "
            f"{chaos.twice * 100:g}% of invocations delivered twice",
            f"  what it did     GET  {url}/_local/chaos",
        ]
    return "\n".join(
        [
            f"OMS is running on {url}",
            f"  storefront key  {storefront}",
            f"  admin key       {admin}",
            f"  sent emails     GET  {url}/_local/outbox",
            f'  move the clock  POST {url}/_local/clock/advance  {{"seconds": 86400}}',
            f"  OpenAPI         GET  {url}/_local/openapi.json",
            f"  ops page        {url}/_local/ui",
            f"  AWS endpoint    {url}  (SigV4-signed requests; any credentials)",
            *chaos_lines,
            "Read executions and tables as the handlers see them:",
            f"  {shlex.join([*executions, '--state-machine-arn', state_machine_arn])}",
            f"  {shlex.join(scan)}",
            "Place an order:",
            f"  {curl}",
            "Ctrl-C stops it.",
        ]
    )


def _invoke(args: argparse.Namespace) -> int:
    from local.runtime.lambda_runtime import FunctionError

    event = json.loads(Path(args.event).read_text())
    seed = read_seed(None)
    with seeded_stack(seed, "http://127.0.0.1:3000") as (stack, _):
        try:
            result = stack.invoke(args.function, resign(event, seed))
        except KeyError as error:
            print(f"oms invoke: {error.args[0]}", file=sys.stderr)
            return 2
        except FunctionError as error:
            print(json.dumps(error.payload, indent=2))
            return 1
        # What the invocation started (an order's execution) must reach a resting point before teardown.
        stack.settle()
    print(json.dumps(result, indent=2))
    return 0


def resign(event: Any, seed: dict[str, Any]) -> Any:
    """A signed partner request re-signed now with the seed's secret: a stored signature is soon stale."""
    from oms.signatures import HEADER, sign

    if not isinstance(event, dict) or not isinstance(event.get("headers"), dict):
        return event
    partner_id = (event.get("pathParameters") or {}).get("partner_id")
    secret = next((p.get("secret") for p in seed["partners"] if p.get("id") == partner_id), None)
    names = [name for name in event["headers"] if name.lower() == HEADER.lower()]
    if not names or not secret:
        return event
    body = (event.get("body") or "").encode()
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body)
    signature = sign(secret, body, int(time.time()))
    event = {**event, "headers": {**event["headers"], names[0]: signature}}
    if isinstance(event.get("multiValueHeaders"), dict):
        event["multiValueHeaders"] = {**event["multiValueHeaders"], names[0]: [signature]}
    return event


def _seed(args: argparse.Namespace) -> int:
    """Partners first (products name their vendors, stock its locations), then products, then stock."""
    from pydantic import ValidationError

    try:
        seed = read_seed(args.file)
    except (OSError, ValueError, ValidationError) as error:
        print(f"oms seed: {args.file} is not a seed file: {error}", file=sys.stderr)
        return 2
    calls = [("PUT", f"/partners/{quote(p['id'], safe='')}", p) for p in seed["partners"]]
    calls += [("PUT", f"/products/{quote(p['sku'], safe='')}", p) for p in seed["products"]]
    calls += [("POST", "/inventory/adjustments", stock) for stock in seed["inventory"]]
    base = args.url.rstrip("/")
    for method, path, body in calls:
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"x-api-key": args.admin_key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except urllib.error.URLError as error:
            print(f"oms seed: cannot reach {base}: {error.reason}", file=sys.stderr)
            return 1
        if status == 404 and _error_code(raw) == "not_found":
            route = path if method == "POST" else path.rsplit("/", 1)[0] + "/{id}"
            print(
                f"oms seed: {base} has no {method} {route} route: it does not serve the admin API yet.", file=sys.stderr
            )
            return 1
        if status >= 300:
            print(f"oms seed: {method} {path} answered {status}: {raw.decode(errors='replace')}", file=sys.stderr)
            return 1
        print(f"{method} {path} {status}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from local.demo import run

    return run()


def _error_code(raw: bytes) -> str | None:
    try:
        return str(json.loads(raw)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def fraction(text: str) -> float:
    """A command-line fraction from 0 to 1 (`0.1`)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction from 0 to 1")
    return value


def parser() -> argparse.ArgumentParser:
    commands = argparse.ArgumentParser(prog="oms", description="OMS on this machine.")
    sub = commands.add_subparsers(dest="command", required=True)
    local = sub.add_parser("local", help="run the local stack over HTTP (Ctrl-C stops it)")
    local.add_argument("--host", default="127.0.0.1")
    local.add_argument("--port", type=int, default=3000)
    local.add_argument("--seed", help="seed file (default: the shipped local/default_seed.json)")
    local.add_argument(
        "--faults",
        type=fraction,
        default=0.0,
        metavar="RATE",
        help="fail this fraction of the handlers' AWS calls as AWS fails under load (throttling, conflicts)",
    )
    local.add_argument("--faults-seed", type=int, default=0, metavar="N", help="seed of --faults and --twice")
    local.add_argument(
        "--twice",
        type=fraction,
        nargs="?",
        const=1.0,
        default=0.0,
        metavar="RATE",
        help="deliver every invocation's event twice (or this fraction of them), as at-least-once delivery may",
    )
    local.set_defaults(run=_local)
    invoke = sub.add_parser("invoke", help="run one function's handler on an event, on a fresh local stack")
    invoke.add_argument("function", help="folder (place_order) or logical id (PlaceOrderFunction)")
    invoke.add_argument("event", help="event JSON file, e.g. events/place_order.json")
    invoke.set_defaults(run=_invoke)
    seed = sub.add_parser("seed", help="load a seed's partners, products and stock through the admin API")
    seed.add_argument("--url", required=True, help="the API's base URL, e.g. http://127.0.0.1:3000")
    seed.add_argument("--admin-key", required=True)
    seed.add_argument("file")
    seed.set_defaults(run=_seed)
    demo = sub.add_parser("demo", help="tell one order's whole life, step by step, on a fresh in-process local stack")
    demo.set_defaults(run=_demo)
    return commands


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
