"""The local stack on a hand-written template: provisioning, settling, the clock and the outbox."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from stack_fixtures import SENDER, stack  # noqa: F401 - the fixture

from local.runtime import settle
from local.runtime.settle import Settler, SettleTimeout
from oms import clock as oms_clock


def test_tables_have_their_real_keys_indexes_and_ttl(stack):  # noqa: F811
    dynamodb = stack.client("dynamodb")
    table = dynamodb.describe_table(TableName="OrdersTable")["Table"]
    assert [key["AttributeName"] for key in table["KeySchema"]] == ["PK", "SK"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["GSI1"]
    ttl = dynamodb.describe_time_to_live(TableName="OmsLocal-idempotency")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiration")
    assert stack.resources.tables == {"OrdersTable": "OrdersTable", "IdempotencyTable": "OmsLocal-idempotency"}


def test_functions_keep_their_handler_and_resolved_environment(stack):  # noqa: F811
    config = stack.client("lambda").get_function_configuration(FunctionName="StartFunction")
    variables = config["Environment"]["Variables"]
    assert config["Handler"] == "fx_start.handler.lambda_handler"
    assert variables["STATE_MACHINE_ARN"] == stack.resources.state_machine_arn
    assert (variables["TABLE_NAME"], variables["STAGE_FLAVOUR"]) == ("OrdersTable", "dev")
    assert stack.resources.functions["StartFunction"].folder == "fx_start"


def test_what_has_no_local_meaning_is_skipped_by_type(stack):  # noqa: F811
    assert stack.resources.skipped == {
        "MachineRolePolicy": "AWS::IAM::Policy",
        "LogRetentionProvider": "AWS::Lambda::Function (nodejs20.x)",
        "Logs": "AWS::Logs::LogGroup",
        "ProdAlarm": "AWS::CloudWatch::Alarm",
        "CDKMetadata": "AWS::CDK::Metadata",
    }
    assert stack.resources.api == {"Api": "AWS::ApiGateway::RestApi"}


def test_secrets_email_and_schedule_group_exist(stack):  # noqa: F811
    secret = stack.client("secretsmanager").get_secret_value(SecretId=stack.resources.secrets["FeedbackKey"])
    assert len(secret["SecretString"]) == 48
    assert stack.client("sesv2").get_configuration_set(ConfigurationSetName="oms-local")
    assert SENDER in stack.client("ses").list_verified_email_addresses()["VerifiedEmailAddresses"]
    assert stack.client("scheduler").get_schedule_group(Name="oms-local-schedules")


def test_settings_overrides_reach_every_function_and_verify_the_sender():
    from stack_fixtures import FIXTURE_FUNCTIONS, template

    from local.runtime.stack import local_stack

    with local_stack(template(), {"OMS_SENDER": "seed@merchant.example"}, [FIXTURE_FUNCTIONS]) as running:
        assert running.env["OMS_SENDER"] == "seed@merchant.example"
        running.invoke(
            "MailFunction",
            {
                "to": "a@example.com",
                "subject": "s",
                "text": "t",
                "html": "<p>h</p>",
                "kind": "order_confirmed",
                "order_id": "o1",
            },
        )
        assert running.outbox()[0]["from"] == "seed@merchant.example"


@pytest.mark.parametrize(("url", "state"), [("https://shop.example/hooks", "ENABLED"), ("", "DISABLED")])
def test_a_rule_enabled_by_a_setting_follows_the_seeds_settings_not_the_synthesized_state(url, state):
    from stack_fixtures import FIXTURE_FUNCTIONS, template

    from local.runtime.stack import local_stack
    from oms.settings import ENABLED_BY

    synthesized = template()
    rule = synthesized["Resources"]["ReminderRule"]
    rule["Properties"]["State"] = "ENABLED" if state == "DISABLED" else "DISABLED"
    rule["Metadata"] = {ENABLED_BY: "storefront_webhook_url"}
    with local_stack(synthesized, {"OMS_STOREFRONT_WEBHOOK_URL": url}, [FIXTURE_FUNCTIONS]) as running:
        described = running.client("events").describe_rule(Name="ReminderRule", EventBusName="OmsLocal-bus")
        assert described["State"] == state


def test_settle_returns_once_the_execution_waits_on_its_task_token(stack):  # noqa: F811
    stack.client("dynamodb").put_item(
        TableName="OrdersTable", Item={"PK": {"S": "SKU#A"}, "SK": {"S": "STOCK"}, "available": {"N": "5"}}
    )
    for n in range(5):
        stack.invoke("fx_start", {"body": json.dumps({"order_id": f"o{n}", "sku": "A", "quantity": 1})})
    stack.settle()
    assert {stack.execution(f"o{n}")["states"][-1] for n in range(5)} == {"Park"}
    parked = stack.client("dynamodb").scan(TableName="OrdersTable")["Items"]
    assert sum(item["SK"]["S"] == "TOKEN" for item in parked) == 5


def test_settle_waits_for_deliveries_in_flight_and_names_them_on_timeout():
    release = threading.Event()
    settler = Settler()
    settle.spawn(release.wait)
    with pytest.raises(SettleTimeout, match="1 invocation"):
        settler.settle(timeout=0.05)
    release.set()
    settler.settle()


def _schedule(stack, name: str, at: str, after: str = "DELETE", timezone: str = "UTC") -> None:  # noqa: F811
    stack.client("scheduler").create_schedule(
        Name=name,
        GroupName="oms-local-schedules",
        ScheduleExpression=f"at({at})",
        ScheduleExpressionTimezone=timezone,
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion=after,
        Target={
            "Arn": stack.resources.arns["RemindFunction"],
            "RoleArn": stack.resources.arns["SchedulerRole"],
            "Input": json.dumps({"order_id": name}),
        },
    )


def _in(hours: float, zone: str = "UTC") -> str:
    from zoneinfo import ZoneInfo

    return (oms_clock.now() + timedelta(hours=hours)).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


def test_advance_fires_a_due_schedule_and_settles_what_it_set_off(stack):  # noqa: F811
    _schedule(stack, "remind-o9", _in(1))
    assert stack.advance(1800)["fired"] == []
    answer = stack.advance(1801)
    assert answer["fired"] == ["remind-o9"]
    assert answer["now"][:16] == oms_clock.iso()[:16]
    recorded = stack.client("dynamodb").get_item(
        TableName="OrdersTable", Key={"PK": {"S": "ORDER#remind-o9"}, "SK": {"S": "RECORDED"}}
    )
    assert "Item" in recorded
    assert stack.client("scheduler").list_schedules()["Schedules"] == []


def test_a_kept_schedule_fires_once(stack):  # noqa: F811
    _schedule(stack, "once", _in(1), after="NONE")
    assert stack.advance(3601)["fired"] == ["once"]
    assert stack.advance(3601)["fired"] == []
    assert [s["Name"] for s in stack.client("scheduler").list_schedules()["Schedules"]] == ["once"]


def test_schedule_times_are_read_in_the_schedules_timezone(stack):  # noqa: F811
    _schedule(stack, "tokyo", _in(2, "Asia/Tokyo"), timezone="Asia/Tokyo")
    assert stack.advance(3600)["fired"] == []
    assert stack.advance(3601)["fired"] == ["tokyo"]


def test_a_schedule_the_ticker_fires_during_an_advance_is_reported_by_the_advance(stack):  # noqa: F811
    _schedule(stack, "raced", _in(1))
    settle = stack.clock._settle
    ticks = []

    def settle_while_the_ticker_fires() -> None:
        if not ticks:
            ticks.append(stack.clock.fire_due())  # the real-time ticker, getting there first
        settle()

    stack.clock._settle = settle_while_the_ticker_fires

    assert stack.advance(3601)["fired"] == ["raced"]
    assert ticks == [["raced"]]


def test_the_ticker_starts_and_stops(stack):  # noqa: F811
    stack.clock.start_ticker(interval=60)
    assert any(thread.name == "oms-local-clock-ticker" for thread in threading.enumerate())
    stack.clock.stop_ticker()
    assert not any(thread.name == "oms-local-clock-ticker" for thread in threading.enumerate())


def test_outbox_reads_raw_multipart_emails_oldest_first(stack):  # noqa: F811
    for kind, shipment in (("order_confirmed", None), ("shipment_shipped", "o1-S1")):
        stack.invoke(
            "MailFunction",
            {
                "to": "ada@example.com",
                "subject": f"About {kind}",
                "text": f"text {kind}",
                "html": f"<p>html {kind}</p>",
                "kind": kind,
                "order_id": "o1",
                "shipment_id": shipment,
            },
        )
    first, second = stack.outbox()
    assert first["to"] == ["ada@example.com"] and first["from"] == SENDER
    assert (first["subject"], first["kind"], first["order_id"], first["shipment_id"]) == (
        "About order_confirmed",
        "order_confirmed",
        "o1",
        None,
    )
    assert first["text"].strip() == "text order_confirmed"
    assert first["html"].strip() == "<p>html order_confirmed</p>"
    assert (second["kind"], second["shipment_id"]) == ("shipment_shipped", "o1-S1")
    assert first["sent_at"] <= second["sent_at"] and first["id"] != second["id"]


def test_execution_helper_shows_status_input_and_history(stack):  # noqa: F811
    stack.invoke("fx_start", {"body": json.dumps({"order_id": "x1", "sku": "NONE", "quantity": 1})})
    stack.settle()
    execution = stack.execution("x1")
    assert execution["input"]["order_id"] == "x1"
    assert execution["history"][0]["type"] == "ExecutionStarted"
    assert execution["status"] == "FAILED"


def test_settle_sees_through_a_map_of_token_waits(stack):  # noqa: F811
    sfn = stack.client("stepfunctions")
    park = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "End": True,
        "Parameters": {
            "FunctionName": stack.resources.arns["ParkFunction"],
            "Payload": {"order_id.$": "$", "task_token.$": "$$.Task.Token"},
        },
    }
    machine = sfn.create_state_machine(
        name="Fan",
        roleArn=stack.resources.arns["MachineRole"],
        definition=json.dumps(
            {
                "StartAt": "Each",
                "States": {
                    "Each": {
                        "Type": "Map",
                        "ItemsPath": "$.items",
                        "End": True,
                        "Iterator": {"StartAt": "Park", "States": {"Park": park}},
                    }
                },
            }
        ),
    )
    sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], name="fan-1", input=json.dumps({"items": ["m1", "m2", "m3"]})
    )
    stack.settle()
    tokens = [item["token"]["S"] for item in stack.client("dynamodb").scan(TableName="OrdersTable")["Items"]]
    assert len(tokens) == 3
    for token in tokens:
        sfn.send_task_success(taskToken=token, output='"done"')
    stack.settle()
    arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + ":fan-1"
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
