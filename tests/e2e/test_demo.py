"""`oms demo` as a user runs it: one order's whole life told on a fresh local stack, every step in its place."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the story must tell, in this order: one pattern per line of output.
STORY = [
    r"^\[1/8\] +[\d.]+s  Start OMS on moto$",
    r"^\[2/8\] +[\d.]+s  Storefront places an order$",
    r"^    POST      /orders SHOP-\w+ \(16 x TEE-RED-M, 1 x DESK-OAK\) -> 202 ORD-\w+ PLACED$",
    r"^    timeline  OrderPlaced ",
    r"^    timeline  UnitsBackordered +1 x TEE-RED-M$",
    r"^    timeline  ShipmentSent +S1 main-warehouse \(WAREHOUSE\): 10 x TEE-RED-M$",
    r"^    timeline  ShipmentSent +S2 east-3pl \(THIRD_PARTY\): 5 x TEE-RED-M$",
    r"^    timeline  ShipmentSent +S3 acme-vendor \(DROPSHIP\): 1 x DESK-OAK$",
    r"^\[3/8\] +[\d.]+s  Admin receives stock: the receipt releases the backorder$",
    r"^    timeline  BackorderReleased +new shipments S4$",
    r"^    timeline  ShipmentSent +S4 main-warehouse \(WAREHOUSE\): 1 x TEE-RED-M$",
    r"^\[4/8\] .* rejects its shipment \(out of stock\): the units are re-routed$",
    r"^    timeline  ShipmentRejected +S2 east-3pl reason out_of_stock$",
    r"^    timeline  ShipmentSent +S5 main-warehouse \(WAREHOUSE\): 5 x TEE-RED-M$",
    r"^\[5/8\] .* ship, each with a carrier and a tracking number$",
    r"^    timeline  ShipmentShipped +S1 main-warehouse UPS 1Z999AA\d+ https://www\.ups\.com/track\?tracknum=1Z999AA",
    r"^    timeline  ShipmentShipped +S3 acme-vendor DHL JD\d+ https://www\.dhl\.com/",
    r"^\[6/8\] .* in transit and delivered$",
    r"^    timeline  ShipmentDelivered +S5 main-warehouse$",
    r"^\[7/8\] .* 7 days: the feedback request is sent$",
    r"^    clock     now 20\S+; fired feedback-ORD-\w+",
    r"^    timeline  FeedbackRequested$",
    r"^\[8/8\] .* gives feedback$",
    r"^    timeline  FeedbackReceived +rating 5$",
    r"^Done in [\d.]+s: order ORD-\w+ is DELIVERED \(TEE-RED-M 16/16 delivered; DESK-OAK 1/1 delivered\)\.$",
]

# Every email the story sends: (kind, recipient, subject), each as often as it is sent.
EMAILS = [
    ("order_backordered", "ada@example.com", r"Your order SHOP-\w+: some items are on backorder"),
    *[("fulfillment_request", "pick@merchant.example", r"Fulfilment request ORD-\w+-S\d \(order ORD-\w+\)")] * 3,
    ("fulfillment_request", "orders@east3pl.example", r"Fulfilment request ORD-\w+-S2 \(order ORD-\w+\)"),
    ("purchase_order", "dropship@acme.example", r"Purchase order ORD-\w+-S3: please ship to our customer"),
    *[("shipment_shipped", "ada@example.com", r"Your order SHOP-\w+ is on its way")] * 4,
    *[("shipment_delivered", "ada@example.com", r"Your order SHOP-\w+ has been delivered")] * 4,
    ("feedback_request", "ada@example.com", r"How was your order SHOP-\w+\?"),
]


def test_the_demo_tells_an_order_from_placement_to_feedback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "local.cli", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    at = 0
    for pattern in STORY:
        found = next((n for n in range(at, len(lines)) if re.search(pattern, lines[n])), None)
        assert found is not None, f"{pattern!r} not found after line {at}:\n{done.stdout}"
        at = found + 1
    emails = sorted(
        (match["kind"], match["to"], match["subject"])
        for match in re.finditer(r"^    email     (?P<kind>\w+) +to (?P<to>\S+): (?P<subject>.+)$", done.stdout, re.M)
    )
    assert len(emails) == len(EMAILS), emails
    for (kind, to, subject), (want_kind, want_to, want_subject) in zip(emails, sorted(EMAILS), strict=True):
        assert (kind, to) == (want_kind, want_to), emails
        assert re.fullmatch(want_subject, subject), (kind, subject)
