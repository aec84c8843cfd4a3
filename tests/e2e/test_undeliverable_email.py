"""Over HTTP: a customer whose address SES refuses still gets their order; the timeline says which
emails could not be delivered."""

import copy
import uuid

from local.cli import EXAMPLE_ORDER
from tests.e2e.conftest import REFUSED_RECIPIENT, Client


def test_an_order_whose_customer_ses_refuses_is_still_processed_and_shipped(oms_local: Client) -> None:
    order = copy.deepcopy(EXAMPLE_ORDER)
    order.update(
        external_ref=f"SHOP-{uuid.uuid4().hex[:10]}",
        customer={"email": REFUSED_RECIPIENT, "name": "Ada Lovelace"},
        lines=[{"sku": "TEE-RED-M", "quantity": 1}],
    )

    placed = oms_local.call("POST", "/orders", order)
    assert placed.status == 202, placed.body
    order_id = placed.json["order_id"]
    oms_local.settle()
    processing = oms_local.call("GET", f"/orders/{order_id}").json
    shipment_id = processing["shipments"][0]["shipment_id"]
    shipped = oms_local.track(
        "main-warehouse", shipment_id, "SHIPPED", f"{shipment_id}-shipped", carrier="UPS", tracking_number="1Z9"
    )
    after = oms_local.call("GET", f"/orders/{order_id}").json

    assert (processing["status"], shipped.status, after["status"]) == ("PROCESSING", 202, "SHIPPED")
    undeliverable = [e["detail"] for e in after["timeline"] if e["type"] == "EmailUndeliverable"]
    assert [(d["kind"], d["to"], d["reason"]) for d in undeliverable] == [
        ("order_confirmed", REFUSED_RECIPIENT, "message_rejected"),
        ("shipment_shipped", REFUSED_RECIPIENT, "message_rejected"),
    ]
    assert "OrderFailed" not in [e["type"] for e in after["timeline"]]
    assert [e["kind"] for e in oms_local.outbox(order_id=order_id)] == ["fulfillment_request"]
    sfn = oms_local.aws("stepfunctions")
    [machine] = sfn.list_state_machines()["stateMachines"]
    execution_arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{order_id}"
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
