"""The order state machine: type, tracing, logging, and the definition of docs/architecture.md."""

from aws_cdk.assertions import Template

TRANSIENT_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "TransientError",
}
LAMBDA_STEPS = ("Allocate", "NotifyOutcome", "DispatchAndWait", "Compensate")


def test_state_machine_is_standard_traced_and_logs_every_state_without_its_data(template):
    Template.from_json(template).has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": {
                "Level": "ALL",
                "IncludeExecutionData": False,
                "Destinations": [
                    {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["OrderStateMachineLogs", "Arn"]}}}
                ],
            },
        },
    )


def _parameters(state: dict) -> dict:
    parameters = state["Parameters"]
    return parameters.get("Payload", parameters)


def test_the_states_pass_their_functions_ids_only(definition):
    # The execution starts with {"order_id"} (oms.orders); every step is handed ids, an email kind, the task
    # token, or the caught error: never an address, an email address or an order's lines.
    passed = {
        name: {key: value for key, value in _parameters(state).items()}
        for name, state in definition["States"].items()
        if state["Type"] == "Task"
    }

    assert passed == {
        "Allocate": {"order_id.$": "$.order_id"},
        "NotifyOutcome": {"order_id.$": "$.order_id", "kind.$": "$.allocation.email"},
        "DispatchAndWait": {
            "order_id.$": "$.order_id",
            "shipment_ids.$": "$.allocation.shipment_ids",
            "task_token.$": "$$.Task.Token",
        },
        "Compensate": {"order_id.$": "$.order_id", "error.$": "$.error"},
    }


def test_what_the_steps_answer_into_the_state_is_ids_and_codes():
    from oms.steps import AllocationOutput, Wake

    assert set(AllocationOutput.model_fields) == {"outcome", "shipment_ids", "email"}
    assert set(Wake.model_fields) == {"next"}


def test_definition_has_the_states_of_the_architecture_page(definition):
    assert definition["StartAt"] == "Allocate"
    assert set(definition["States"]) == {
        "Allocate", "NotifyOutcome", "DispatchAndWait", "WhatNext", "OrderSettled", "Compensate", "OrderFailed",
    }  # fmt: skip


def test_each_round_allocates_notifies_dispatches_and_waits_for_what_next(definition):
    states = definition["States"]

    assert states["Allocate"]["Next"] == "NotifyOutcome"
    assert states["Allocate"]["ResultPath"] == "$.allocation"
    assert states["NotifyOutcome"]["Next"] == "DispatchAndWait"
    assert states["NotifyOutcome"]["Parameters"] == {"order_id.$": "$.order_id", "kind.$": "$.allocation.email"}
    assert states["DispatchAndWait"]["Next"] == "WhatNext"
    assert states["WhatNext"]["Choices"] == [
        {"Variable": "$.wake.next", "StringEquals": "ALLOCATE", "Next": "Allocate"}
    ]
    assert states["WhatNext"]["Default"] == "OrderSettled"
    assert states["OrderSettled"]["Type"] == "Succeed"
    assert states["Compensate"]["Next"] == "OrderFailed"
    assert states["Compensate"]["Parameters"] == {"order_id.$": "$.order_id", "error.$": "$.error"}
    assert states["OrderFailed"]["Type"] == "Fail"


def test_dispatch_sends_the_rounds_shipments_and_waits_for_a_task_token(definition):
    dispatch = definition["States"]["DispatchAndWait"]

    assert dispatch["Resource"] == "arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken"
    assert dispatch["Parameters"]["FunctionName"] == "${DispatchFunction.Arn}"
    assert dispatch["Parameters"]["Payload"] == {
        "order_id.$": "$.order_id",
        "shipment_ids.$": "$.allocation.shipment_ids",
        "task_token.$": "$$.Task.Token",
    }
    assert dispatch["ResultPath"] == "$.wake"


def test_lambda_steps_invoke_their_function_directly(definition):
    states = definition["States"]
    expected = {"Allocate": "AllocateFunction", "NotifyOutcome": "NotifyFunction", "Compensate": "CompensateFunction"}
    for state, function in expected.items():
        # The plain function ARN is what payload_response_only emits.
        assert states[state]["Resource"] == "${" + function + ".Arn}"


def test_every_lambda_step_retries_transient_errors_with_backoff(definition):
    states = definition["States"]
    for name in LAMBDA_STEPS:
        (retry,) = states[name]["Retry"]
        assert set(retry["ErrorEquals"]) >= TRANSIENT_ERRORS, name
        assert (retry["IntervalSeconds"], retry["BackoffRate"], retry["MaxAttempts"]) == (2, 2, 4)
    assert "ReservationConflict" in definition["States"]["Allocate"]["Retry"][0]["ErrorEquals"]


def test_every_round_step_is_caught_into_compensate(definition):
    states = definition["States"]
    for name in ("Allocate", "NotifyOutcome", "DispatchAndWait"):
        assert states[name]["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate"}]
    assert "Catch" not in states["Compensate"]


def test_no_json_path_has_an_index_in_the_middle(definition, template, as_text):
    # moto reads `$.a[0].b` as `[b]`, which would break the local runs of this definition.
    text = as_text(template["Resources"]["OrderStateMachine"]["Properties"]["DefinitionString"])

    assert "]." not in text
