"""The README's pictures of the ops page: a small shop's day on an in-process local stack, photographed in
headless Chromium (Debian's `chromium`, driven by Playwright from the test extra).

    .venv/bin/python -m local.ui.screenshots [--out docs/images] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request
import uuid
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
ADDRESS = {"line1": "12 St James's Sq", "city": "London", "postal_code": "SW1Y 4JH", "country": "GB"}
# (customer, lines, policy): what the pictures show, oldest first.
ORDERS: list[tuple[str, list[tuple[str, int]], str]] = [
    ("Grace Hopper", [("DESK-OAK", 1)], "ship_available"),
    ("Ada Lovelace", [("TEE-RED-M", 2)], "ship_available"),
    ("Katherine Johnson", [("TEE-RED-M", 12)], "ship_available"),
    ("Edsger Dijkstra", [("TEE-RED-M", 3)], "ship_available"),
    ("Barbara Liskov", [("TEE-RED-M", 1)], "cancel_order"),
    ("Alan Turing", [("TEE-RED-M", 1), ("DESK-OAK", 1)], "ship_complete"),
]


def _call(url: str, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
    request = urllib.request.Request(
        url + path, data=None if body is None else json.dumps(body).encode(), method=method
    )
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("x-api-key", key)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _shop_day(url: str, keys: dict[str, str]) -> dict[str, str]:
    """Place the orders, let partners move some of them, and name the orders worth a picture."""
    placed = {}
    for name, lines, policy in ORDERS:
        first = name.split()[0].lower()
        order = {
            "external_ref": f"SHOP-{uuid.uuid4().hex[:6].upper()}",
            "customer": {"email": f"{first}@example.com", "name": name},
            "shipping_address": {"name": name, **ADDRESS},
            "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            "backorder_policy": policy,
        }
        placed[first] = _call(url, "POST", "/orders", order, keys["storefront"])["order_id"]
        _call(url, "POST", "/_local/clock/advance", {"seconds": 0})
    grace, ada = placed["grace"], placed["ada"]

    def track(partner_id: str, shipment_id: str, status: str, **carried: str) -> None:
        """A partner's move, posted as the page's partner view posts it."""
        update = {"shipment_id": shipment_id, "status": status, **carried}
        _call(url, "POST", f"/_local/ui/api/partners/{partner_id}/tracking", update)

    track("acme-vendor", f"{grace}-S1", "ACCEPTED")
    track("acme-vendor", f"{grace}-S1", "SHIPPED", carrier="DHL", tracking_number="JD014600006281")
    track("acme-vendor", f"{grace}-S1", "DELIVERED")
    track("main-warehouse", f"{ada}-S1", "SHIPPED", carrier="UPS", tracking_number="1Z999AA10123456784")
    _call(url, "POST", f"/orders/{placed['barbara']}/cancel", None, keys["storefront"])
    _call(url, "POST", "/_local/clock/advance", {"seconds": 0})
    return placed


def take(out: Path, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from local.api.emulator import ApiEmulator
    from local.api.server import start
    from local.seed import api_key_kinds, read_seed, seeded_stack
    from oms import clock

    seed = read_seed()
    out.mkdir(parents=True, exist_ok=True)
    with seeded_stack(seed, "http://127.0.0.1:0") as (stack, template):
        emulator = ApiEmulator(template, api_key_kinds(seed), stack.invoke, wall_clock=clock.now)
        server = start(stack, emulator)
        server.attach(stack, emulator, api_keys=seed["api_keys"])
        try:
            placed = _shop_day(server.url, seed["api_keys"])
            shipped = next(e for e in stack.outbox() if e["kind"] == "shipment_shipped")
            shots = {
                "ops-orders.png": ("/orders", "[data-view=orders] tbody tr[data-order]"),
                "ops-order.png": (f"/orders/{placed['katherine']}", "[data-view=order] .machine .state.waiting"),
                "ops-partner.png": ("/partners/main-warehouse", "[data-view=partners] article.shipment"),
                "ops-email.png": (f"/outbox/{shipped['id']}", "[data-view=outbox] iframe.mail"),
            }
            args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
            written = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=args)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                for name, (route, ready) in shots.items():
                    page.goto(f"{server.url}/_local/ui#{route}")
                    page.locator(ready).first.wait_for()
                    page.wait_for_timeout(300)  # the iframe's document paints after its element
                    path = out / name
                    page.screenshot(path=str(path), full_page=name == "ops-order.png")
                    written.append(path)
                browser.close()
            return written
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", default=os.environ.get("OMS_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    for path in take(args.out, args.chromium):
        print(f"{path} {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
