"""Three order shapes told on the local stack under a meter, and what each asked of AWS.

A shape is an order's whole life as its users drive it: the storefront's POST, the partners' signed
updates, the merchant's receipt, the clock passing until every schedule has fired. `count(oms, shape)`
runs one and answers its counts: state transitions (the execution's `*StateEntered` history events,
which is what Step Functions bills), Lambda invocations and GB-seconds (the template's memory of each
function x its measured duration), AWS calls by service and operation with DynamoDB's units
(`local.meter`), emails sent, API requests, schedules fired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks import report
from local.meter import Reading, meter
from tests.scenario import DAY, Scenario

STOCKED = "TEE-RED-M"
DROPSHIP = "DESK-OAK"
# Past the feedback delay, the fallback and every partner deadline: every schedule of the order fires.
LIFE = 30 * DAY


@dataclass
class Counts:
    """What one order of a shape asked of AWS."""

    shape: str
    transitions: int
    invocations: dict[str, int]
    gb_seconds: float
    calls: dict[str, int]
    read_units: float
    write_units: float
    emails: int
    api_requests: int
    schedules_fired: int
    event_chunks: int
    execution_seconds_of_life: float = 0.0
    durations: dict[str, list[float]] = field(default_factory=dict)

    @property
    def lambda_invocations(self) -> int:
        return sum(self.invocations.values())

    def service_calls(self, service: str, operations: set[str] | None = None) -> int:
        return sum(
            n
            for name, n in self.calls.items()
            if name.split(":")[0] == service and (operations is None or name.split(":")[1] in operations)
        )

    @property
    def dynamodb_calls(self) -> int:
        return self.service_calls("dynamodb")


class _Requests:
    """Counts the API requests a shape makes through the scenario."""

    def __init__(self, oms: Scenario) -> None:
        self.count = 0
        self._request = oms.request

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return self._request(*args, **kwargs)


def _deliver(oms: Scenario, shipment: dict[str, Any]) -> None:
    for status in ("ACCEPTED", "SHIPPED", "IN_TRANSIT", "DELIVERED"):
        reply = oms.track(shipment["partner_id"], shipment["shipment_id"], status)
        assert reply.status == 202, reply.body


def _shipments(order_id: str) -> list[dict[str, Any]]:
    """The order's shipments, read by the domain from this thread: not a handler's run, so not counted (a
    storefront would learn them from its webhooks, not by reading the order)."""
    from oms import orders

    return [s.model_dump(mode="json") for s in orders.view(order_id).shipments]


def _placed(oms: Scenario, lines: list[dict[str, Any]], ref: str) -> str:
    reply = oms.place(external_ref=ref, lines=lines)
    assert reply.status == 202, reply.body
    oms.settle()
    return str(reply.json["order_id"])


def one_shipment(oms: Scenario, ref: str) -> str:
    """Two units of a stocked SKU from the merchant's own warehouse, delivered, feedback asked."""
    order_id = _placed(oms, [{"sku": STOCKED, "quantity": 2}], ref)
    [shipment] = _shipments(order_id)
    _deliver(oms, shipment)
    return order_id


def three_sources(oms: Scenario, ref: str) -> str:
    """Sixteen units of a SKU the own warehouse holds 10 of and a 3PL 5, and a drop-ship desk: three
    shipments and one unit backordered, released by a receipt into a fourth; all four delivered."""
    order_id = _placed(oms, [{"sku": STOCKED, "quantity": 16}, {"sku": DROPSHIP, "quantity": 1}], ref)
    reply = oms.request(
        "POST", "/inventory/receipts", {"sku": STOCKED, "location": "main-warehouse", "quantity": 1}, key="admin"
    )
    assert reply.status == 200, reply.body
    oms.settle()
    found = _shipments(order_id)
    assert len(found) == 4, found
    for shipment in found:
        _deliver(oms, shipment)
    return order_id


def cancellation(oms: Scenario, ref: str) -> str:
    """A one-shipment order sent to the warehouse, then cancelled by the customer."""
    order_id = _placed(oms, [{"sku": STOCKED, "quantity": 2}], ref)
    reply = oms.request("POST", f"/orders/{order_id}/cancel")
    assert reply.status == 200, reply.body
    oms.settle()
    return order_id


SHAPES: dict[str, Callable[[Scenario, str], str]] = {
    "one_shipment": one_shipment,
    "three_sources": three_sources,
    "cancellation": cancellation,
}


def restock(oms: Scenario) -> None:
    """The seed's stock again (own warehouse 10, 3PL 5), so each run of a shape starts the same."""
    for location, on_hand in (("main-warehouse", 10), ("east-3pl", 5)):
        body = {"sku": STOCKED, "location": location, "on_hand": on_hand}
        reply = oms.request("POST", "/inventory/adjustments", body, key="admin")
        assert reply.status == 200, reply.body
    oms.settle()


def memory(oms: Scenario) -> dict[str, int]:
    """Each function's configured memory (MB), as the template gives it."""
    return {spec.logical_id: spec.memory_size for spec in oms.stack.runtime.functions.values()}


def transitions(history: list[dict[str, Any]]) -> int:
    return sum(1 for event in history if str(event["type"]).endswith("StateEntered"))


def count(oms: Scenario, shape: str, ref: str) -> Counts:
    """Run `shape` once under a meter, the clock taken through the order's whole life."""
    restock(oms)
    requests = _Requests(oms)
    oms.request = requests  # type: ignore[method-assign]
    try:
        with meter(memory(oms)) as reading:
            order_id = SHAPES[shape](oms, ref)
            fired = oms.advance(LIFE)["fired"]
            oms.settle()
    finally:
        del oms.request
    execution = oms.execution(order_id)
    return _counts(shape, reading, execution, oms, order_id, requests.count, len(fired))


def _counts(
    shape: str, reading: Reading, execution: dict[str, Any], oms: Scenario, order_id: str, api: int, fired: int
) -> Counts:
    durations: dict[str, list[float]] = {}
    for run in reading.runs:
        durations.setdefault(run.function, []).append(run.seconds)
    calls = reading.calls_of()
    return Counts(
        shape=shape,
        transitions=transitions(execution["history"]),
        invocations=dict(reading.invocations()),
        gb_seconds=reading.gb_seconds(),
        calls=dict(reading.operations()),
        read_units=sum(c.read_units for c in calls),
        write_units=sum(c.write_units for c in calls),
        emails=len(oms.emails(order_id=order_id)),
        api_requests=api,
        schedules_fired=fired,
        event_chunks=sum(c.pieces for c in calls if c.service == "events"),
        durations=durations,
    )


def measure(template: dict[str, Any]) -> dict[str, Any]:
    """Each shape once to warm every function on its path, then once counted; with the template's
    memory and architecture of each function, which the cost model prices."""
    from tests.scenario import scenario

    counted: dict[str, Any] = {}
    with scenario(template) as oms:
        for shape in SHAPES:
            count(oms, shape, f"WARM-{shape}")
            counted[shape] = asdict(count(oms, shape, f"BENCH-{shape}"))
        functions = {
            spec.logical_id: {"memory_mb": spec.memory_size, "architecture": _architecture(template, spec.logical_id)}
            for spec in oms.stack.runtime.functions.values()
        }
    return {"shapes": counted, "functions": functions}


def _architecture(template: dict[str, Any], logical_id: str) -> str:
    props = template["Resources"].get(logical_id, {}).get("Properties", {})
    return str((props.get("Architectures") or ["x86_64"])[0])


def main() -> None:
    import argparse

    from local.aws.synth import template

    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    args = parser.parse_args()
    report(measure(template()), args.out)


if __name__ == "__main__":
    main()
