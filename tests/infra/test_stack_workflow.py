"""The order state machine: type, tracing, logging, and the definition of docs/architecture.md."""

from aws_cdk.assertions import Match, Template

TRANSIENT_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
}
LAMBDA_STEPS = ("Allocate", "NotifyOutcome", "Compensate")
SHIPMENT_STEPS = ("Dispatch", "NotifyShipment", "ScheduleFollowup")


def shipment_states(definition):
    return definition["States"]["Shipments"]["ItemProcessor"]["States"]


def test_state_machine_is_standard_traced_and_logged(template):
    Template.from_json(template).has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like(
                {"Level": Match.any_value(), "Destinations": [Match.any_value()], "IncludeExecutionData": False}
            ),
        },
    )


def test_definition_has_the_states_of_the_architecture_page(definition):
    assert definition["StartAt"] == "Allocate"
    assert set(definition["States"]) == {
        "Allocate", "NotifyOutcome", "AnythingToShip", "OrderCancelled", "Shipments",
        "OrderDone", "Compensate", "OrderFailed",
    }  # fmt: skip
    assert set(shipment_states(definition)) == {
        "Dispatch", "NotifyShipment", "ScheduleFollowup", "ShipmentSettled", "Remember", "ShipmentDone",
    }  # fmt: skip
    assert definition["States"]["Shipments"]["ItemProcessor"]["StartAt"] == "Dispatch"


def test_order_flows_allocate_notify_choose_ship_done(definition):
    states = definition["States"]

    assert states["Allocate"]["Next"] == "NotifyOutcome"
    assert states["Allocate"]["ResultPath"] == "$.allocation"
    assert states["NotifyOutcome"]["Next"] == "AnythingToShip"
    assert states["NotifyOutcome"]["Parameters"] == {"order_id.$": "$.order_id", "kind.$": "$.allocation.email"}
    assert states["AnythingToShip"]["Choices"] == [
        {"Variable": "$.allocation.outcome", "StringEquals": "CANCELLED", "Next": "OrderCancelled"}
    ]
    assert states["AnythingToShip"]["Default"] == "Shipments"
    assert states["OrderCancelled"]["Type"] == "Succeed"
    assert states["Shipments"]["Next"] == "OrderDone"
    assert states["OrderDone"]["Type"] == "Succeed"
    assert states["Compensate"]["Next"] == "OrderFailed"
    assert states["Compensate"]["Parameters"] == {"order_id.$": "$.order_id", "error.$": "$.error"}
    assert states["OrderFailed"]["Type"] == "Fail"


def test_shipments_map_over_shipment_ids_with_a_fresh_item(definition):
    shipments = definition["States"]["Shipments"]

    assert shipments["Type"] == "Map"
    assert shipments["ItemsPath"] == "$.allocation.shipment_ids"
    assert shipments["ItemSelector"] == {
        "order_id.$": "$.order_id",
        "shipment_id.$": "$$.Map.Item.Value",
        "seen": "SENT",
    }


def test_dispatch_waits_for_a_task_token_into_progress(definition):
    dispatch = shipment_states(definition)["Dispatch"]

    assert dispatch["Resource"] == "arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken"
    assert dispatch["Parameters"]["FunctionName"] == "${DispatchFunction.Arn}"
    assert dispatch["Parameters"]["Payload"] == {
        "order_id.$": "$.order_id",
        "shipment_id.$": "$.shipment_id",
        "seen.$": "$.seen",
        "task_token.$": "$$.Task.Token",
    }
    assert dispatch["ResultPath"] == "$.progress"
    assert dispatch["Next"] == "NotifyShipment"


def test_shipment_loops_until_it_settles(definition):
    states = shipment_states(definition)

    assert states["NotifyShipment"]["Next"] == "ScheduleFollowup"
    assert states["ScheduleFollowup"]["Next"] == "ShipmentSettled"
    (rule,) = states["ShipmentSettled"]["Choices"]
    assert {(c["Variable"], c["StringEquals"]) for c in rule["Or"]} == {
        ("$.progress.status", status) for status in ("DELIVERED", "REJECTED", "CANCELLED")
    }
    assert states[rule["Next"]]["Type"] == "Succeed"
    assert states["ShipmentSettled"]["Default"] == "Remember"
    assert states["Remember"]["Parameters"] == {
        "order_id.$": "$.order_id",
        "shipment_id.$": "$.shipment_id",
        "seen.$": "$.progress.status",
    }
    assert states["Remember"]["Next"] == "Dispatch"


def test_lambda_steps_invoke_their_function_directly(definition):
    states = {**definition["States"], **shipment_states(definition)}
    expected = {
        "Allocate": "AllocateFunction",
        "NotifyOutcome": "NotifyFunction",
        "NotifyShipment": "NotifyFunction",
        "ScheduleFollowup": "ScheduleFollowupFunction",
        "Compensate": "CompensateFunction",
    }
    for state, function in expected.items():
        # The plain function ARN is what payload_response_only emits.
        assert states[state]["Resource"] == "${" + function + ".Arn}"


def test_every_lambda_step_retries_transient_errors_with_backoff(definition):
    states = {**definition["States"], **shipment_states(definition)}
    for name in (*LAMBDA_STEPS, *SHIPMENT_STEPS):
        (retry,) = states[name]["Retry"]
        assert set(retry["ErrorEquals"]) >= TRANSIENT_ERRORS, name
        assert (retry["IntervalSeconds"], retry["BackoffRate"], retry["MaxAttempts"]) == (2, 2, 4)
    assert "ReservationConflict" in definition["States"]["Allocate"]["Retry"][0]["ErrorEquals"]


def test_allocate_notify_and_shipments_are_caught_into_compensate(definition):
    states = definition["States"]
    for name in ("Allocate", "NotifyOutcome", "Shipments"):
        assert states[name]["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate"}]
    assert "Catch" not in states["Compensate"]


def test_no_json_path_has_an_index_in_the_middle(definition, template, as_text):
    # moto reads `$.a[0].b` as `[b]`, which would break the local runs of this definition.
    text = as_text(template["Resources"]["OrderStateMachine"]["Properties"]["DefinitionString"])

    assert "]." not in text
