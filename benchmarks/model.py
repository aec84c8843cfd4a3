"""Cost and scale on paper, from the counts measured on the local stack (`benchmarks.shapes`), the dated
price table (`prices.json`) and AWS's default quotas (`quotas.json`). Pure arithmetic: no AWS, no moto."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Functions whose runs are a queue's messages: each message is sent (by EventBridge's target), received
# and deleted once; the long poll's empty receives are left out.
QUEUE_CONSUMERS = {"DeliverWebhooksFunction"}
SQS_REQUESTS_PER_MESSAGE = 3


def prices() -> dict[str, Any]:
    return dict(json.loads((HERE / "prices.json").read_text()))


def quotas() -> dict[str, Any]:
    return dict(json.loads((HERE / "quotas.json").read_text()))


def _price(table: dict[str, Any], name: str) -> float:
    return float(table["prices"][name]["usd"])


def cost_per_order(shape: dict[str, Any], functions: dict[str, Any], table: dict[str, Any]) -> dict[str, float]:
    """USD per order by service, as billed at the table's list prices."""
    calls: dict[str, int] = shape["calls"]

    def service_calls(service: str) -> int:
        return sum(n for name, n in calls.items() if name.split(":")[0] == service)

    gb_price = 0.0
    for function, durations in shape["durations"].items():
        spec = functions.get(function, {"memory_mb": 128, "architecture": "x86_64"})
        rate = _price(table, f"lambda_gb_second_{spec['architecture']}")
        gb = spec["memory_mb"] / 1024
        gb_price += sum(gb * math.ceil(seconds * 1000) / 1000 * rate for seconds in durations)
    messages = sum(shape["invocations"].get(f, 0) for f in QUEUE_CONSUMERS)
    return {
        "Step Functions": shape["transitions"] * _price(table, "stepfunctions_standard_transition"),
        "Lambda": sum(shape["invocations"].values()) * _price(table, "lambda_request") + gb_price,
        "API Gateway": shape["api_requests"] * _price(table, "apigateway_rest_request"),
        "DynamoDB": shape["read_units"] * _price(table, "dynamodb_read_request_unit")
        + shape["write_units"] * _price(table, "dynamodb_write_request_unit"),
        "SES": shape["emails"] * _price(table, "ses_email"),
        "Scheduler": shape["schedules_fired"] * _price(table, "scheduler_invocation"),
        "EventBridge": shape["event_chunks"] * _price(table, "eventbridge_custom_event"),
        "SQS": (service_calls("sqs") + SQS_REQUESTS_PER_MESSAGE * messages) * _price(table, "sqs_request"),
        "Secrets Manager": service_calls("secretsmanager") * _price(table, "secretsmanager_api_call"),
    }


def floor_per_order(shape: dict[str, Any], table: dict[str, Any]) -> float:
    """What the order cannot cost less than: its own emails and API requests."""
    return shape["emails"] * _price(table, "ses_email") + shape["api_requests"] * _price(
        table, "apigateway_rest_request"
    )


def lambda_seconds(shape: dict[str, Any]) -> float:
    return sum(sum(durations) for durations in shape["durations"].values())


def scale(shape: dict[str, Any], limits: dict[str, Any]) -> list[dict[str, Any]]:
    """Sustained orders per second each default quota allows for orders of this shape, lowest first,
    with the way past each bound."""
    q = {name: float(entry["value"]) for name, entry in limits["quotas"].items()}
    life = limits["assumptions"]["execution_life_days"]["value"] * 86400
    calls: dict[str, int] = shape["calls"]
    events = sum(n for name, n in calls.items() if name == "events:PutEvents")
    rows = [
        ("SES sending rate", q["ses_sending_rate"] / max(1, shape["emails"]),
         f"{shape['emails']} emails an order at 14/s", "ask SES for a higher sending rate (routine to hundreds a "
         "second with a good sending record); the emails an order sends are its floor"),
        ("open executions x life", q["sfn_open_executions"] / life,
         f"1,000,000 open / {life / 86400:.0f} days of life", "end the execution once every shipment is sent and "
         "let partner updates drive the rest (they already do the per-status work), or raise the quota"),
        ("StartExecution", q["sfn_start_execution"], "one per order", "raise the quota; batch intake is not needed"),
        ("state transitions", q["sfn_state_transitions"] / max(1, shape["transitions"]),
         f"{shape['transitions']} transitions an order", "raise the quota (adjustable); fewer states per round"),
        ("Lambda concurrency", q["lambda_concurrency"] / max(1e-9, lambda_seconds(shape)),
         f"{lambda_seconds(shape):.2f} s of Lambda an order (measured locally)",
         "raise the quota; durations on AWS are network-bound, not moto-bound"),
        ("DynamoDB hot stock item", q["dynamodb_partition_writes"] / 4,
         "4 write units an order on one SKU's stock item (reserve, ship: 2 transactional writes)",
         "spread a best-seller's stock over several location items (write sharding)"),
        ("DynamoDB table writes", q["dynamodb_table_writes"] / max(1, shape["write_units"]),
         f"{shape['write_units']:.0f} write units an order", "raise the table's on-demand maximum"),
        ("API Gateway", q["apigateway_requests"] / max(1, shape["api_requests"]),
         f"{shape['api_requests']} requests an order", "raise the account's throttle"),
        ("EventBridge PutEvents", q["eventbridge_put_events"] / max(1, events),
         f"{events} PutEvents an order", "raise the quota"),
    ]  # fmt: skip
    found = [{"bound": b, "orders_per_s": r, "from": f, "past_it": p} for b, r, f, p in rows]
    return sorted(found, key=lambda row: row["orders_per_s"])
