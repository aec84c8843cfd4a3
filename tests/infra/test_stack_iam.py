"""Least privilege: each role may do what its function's code calls, and nothing else.

The table below is written from the code, not from infra/: for each function, the AWS calls its handler
reaches (`aws.client(<service>).<call>` in functions/, Powertools' idempotency layer for stock receipts),
as IAM actions. How each call maps to an action:

    dynamodb  get_item, batch_get_item, query -> GetItem, BatchGetItem, Query (READ);
              put_item, update_item, delete_item, and transact_write_items whose items are Puts, Updates
              and Deletes -> PutItem, UpdateItem, DeleteItem (WRITE); the idempotency layer reads and writes
              its records the same way
    sesv2     send_email (raw MIME content) -> ses:SendEmail (SESv2 has no SendRawEmail action)
    events    put_events -> events:PutEvents
    sqs       send_message, receive_message, delete_message, change_message_visibility -> the same names
    states    start_execution -> StartExecution; send_task_success -> SendTaskSuccess (nothing fails a task
              from outside, so no role has SendTaskFailure)
    scheduler create_schedule, update_schedule (oms/schedules.py: create, update when the name exists),
              run as the scheduler role -> iam:PassRole of that role
    secrets   get_secret_value, create_secret, put_secret_value -> the same names

Verified by reading the code: tracking sends email (oms/tracking.py -> oms/fulfilment/notify.py: the
customer's shipped and delivered emails are sent where the partner's update arrives); only admin_api uses
Powertools' idempotency records (stock receipts; POST /orders keeps its key with the order); no function scans a table.

Every function also writes its own log group and X-Ray traces (CDK's Tracing.ACTIVE grant).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

READ = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
WRITE = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
TRACES = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
EMAIL = {"ses:SendEmail"}
EVENTS = {"events:PutEvents"}
ENQUEUE = {"sqs:SendMessage"}
# A timer invoked asynchronously (followup, partner_deadline) that fails every attempt: Lambda sends the
# failure record to its on-failure queue with the function's own role.
FAILURE_DESTINATION = {"sqs:SendMessage"}
RESUME = {"states:SendTaskSuccess"}
SCHEDULES = {"scheduler:CreateSchedule", "scheduler:UpdateSchedule", "iam:PassRole"}
SECRET_READ = {"secretsmanager:GetSecretValue"}
# The event source mapping polls the queue with the function's role: CDK's SqsEventSource grants what
# Lambda's poller calls (ReceiveMessage, DeleteMessage, GetQueueAttributes) plus GetQueueUrl; the handler
# itself calls change_message_visibility to back off a failed delivery.
QUEUE_CONSUMER = {
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
    "sqs:ChangeMessageVisibility",
}  # fmt: skip

# function folder -> ({table: "r" | "rw" | "put"}, the other actions its code calls)
EXPECTED: dict[str, tuple[dict[str, str], set[str]]] = {
    # Its Idempotency-Key is an item of the orders table, claimed and accepted with the order (decision 34).
    "place_order": ({"OrdersTable": "rw", "CatalogTable": "r"}, {"states:StartExecution"}),
    "orders_api": ({"OrdersTable": "r"}, set()),
    "cancel_order": ({"OrdersTable": "rw", "InventoryTable": "rw", "CatalogTable": "r"},
                     EMAIL | EVENTS | ENQUEUE | RESUME | SCHEDULES),
    "allocate": ({"OrdersTable": "rw", "InventoryTable": "rw", "CatalogTable": "r"}, EVENTS | ENQUEUE),
    "notify": ({"OrdersTable": "rw", "CatalogTable": "r"}, EMAIL),
    "dispatch": ({"OrdersTable": "rw", "CatalogTable": "r"}, EMAIL | EVENTS | ENQUEUE | RESUME | SCHEDULES),
    "tracking": ({"OrdersTable": "rw", "InventoryTable": "rw", "CatalogTable": "r"},
                 EMAIL | EVENTS | RESUME | SCHEDULES | SECRET_READ),
    "followup": ({"OrdersTable": "rw", "CatalogTable": "r"}, EMAIL | EVENTS | SECRET_READ | FAILURE_DESTINATION),
    "partner_deadline": ({"OrdersTable": "rw", "CatalogTable": "r"},
                         EMAIL | EVENTS | SCHEDULES | FAILURE_DESTINATION),
    "feedback": ({"OrdersTable": "rw"}, EVENTS | SECRET_READ),
    "compensate": ({"OrdersTable": "rw", "InventoryTable": "rw", "CatalogTable": "r"}, EMAIL | EVENTS | ENQUEUE),
    "admin_api": ({"OrdersTable": "rw", "InventoryTable": "rw", "CatalogTable": "rw", "IdempotencyTable": "rw"},
                  EVENTS | RESUME | ENQUEUE | {"sqs:ReceiveMessage", "sqs:DeleteMessage"}
                  | {"secretsmanager:GetSecretValue", "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"}),
    "deliver_webhooks": ({"OrdersTable": "put", "CatalogTable": "r"}, QUEUE_CONSUMER | SECRET_READ),
    # Compares the x-api-key header with the two API keys' secrets (oms/access.py).
    "authorizer": ({}, SECRET_READ),
}  # fmt: skip
# The account-wide role API Gateway writes its stages' logs with, and the AWS managed policy made for it.
API_GATEWAY_LOGS_ROLE = "ApiCloudWatchRole"
API_GATEWAY_LOGS_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs"
ACCESS = {"r": READ, "rw": READ | WRITE, "put": {"dynamodb:PutItem"}}
# The state machine's steps, as its definition names them.
STEPS = {"AllocateFunction", "NotifyFunction", "DispatchFunction", "CompensateFunction"}
# Actions AWS authorises only on Resource "*", and the roles that have them.
ANY_RESOURCE = {
    "function": TRACES,
    # Step Functions' tracing (CDK adds the sampling reads) and its log delivery to CloudWatch Logs.
    "OrderStateMachineRole": TRACES | {
        "xray:GetSamplingRules", "xray:GetSamplingTargets",
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    },
}  # fmt: skip


def role_id(folder: str) -> str:
    return "".join(part.capitalize() for part in folder.split("_")) + "FunctionRole"


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def resources_of(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def table_of(resource: Any, as_text) -> str | None:
    """The table a DynamoDB resource names (its ARN or its indexes' `<ARN>/index/*`)."""
    match = re.match(r"^\$\{(\w+Table)\.Arn\}(/index/\*)?$", as_text(resource))
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def all_statements(template) -> list[tuple[str, dict[str, Any]]]:
    """Every (role, statement) pair of every IAM policy in the template."""
    pairs = []
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            for role in resource["Properties"]["Roles"]:
                for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                    pairs.append((role["Ref"], statement))
    return pairs


def test_every_function_runs_as_a_role_of_its_own(resources):
    functions = resources("AWS::Lambda::Function")
    roles = {logical_id: function["Properties"]["Role"]["Fn::GetAtt"][0] for logical_id, function in functions.items()}

    assert {logical_id.removesuffix("Function") + "FunctionRole" for logical_id in functions} == set(roles.values())
    assert {role_id(folder) for folder in EXPECTED} == set(roles.values())
    assert set(resources("AWS::IAM::Role")) == set(roles.values()) | {
        "OrderStateMachineRole",
        "SchedulerRole",
        API_GATEWAY_LOGS_ROLE,
    }


def test_no_role_has_inline_or_managed_policies_beside_the_checked_ones(resources, as_text):
    for logical_id, role in resources("AWS::IAM::Role").items():
        assert "Policies" not in role["Properties"]
        if logical_id == API_GATEWAY_LOGS_ROLE:
            # The account's API Gateway logging role (decision 31): AWS's own policy for it, nothing else.
            (policy,) = role["Properties"]["ManagedPolicyArns"]
            assert as_text(policy) == "arn:${AWS::Partition}:iam::aws:policy/service-role/" + API_GATEWAY_LOGS_POLICY
            assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
                "Service": "apigateway.amazonaws.com"
            }
        else:
            assert "ManagedPolicyArns" not in role["Properties"]
    assert resources("AWS::IAM::ManagedPolicy") == {}


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_each_role_may_do_exactly_what_its_code_calls(granted_actions, folder):
    tables, others = EXPECTED[folder]
    expected = LOGS | TRACES | others | set().union(*(ACCESS[access] for access in tables.values()))

    assert granted_actions(role_id(folder)) == expected


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_each_role_reads_and_writes_only_its_tables(policy_statements, as_text, folder):
    tables, _ = EXPECTED[folder]
    granted: dict[str, set[str]] = {}
    for statement in policy_statements(role_id(folder)):
        for action in actions_of(statement):
            if action.startswith("dynamodb:"):
                for resource in resources_of(statement):
                    table = table_of(resource, as_text)
                    assert table, f"{folder}: {action} on {as_text(resource)}, not a table"
                    granted.setdefault(table, set()).add(action)

    assert granted == {table: ACCESS[access] for table, access in tables.items()}


def test_no_action_is_a_wildcard(all_statements):
    wildcards = [
        (role, action) for role, statement in all_statements for action in actions_of(statement) if "*" in action
    ]

    assert wildcards == []


def test_only_actions_aws_authorises_on_any_resource_have_resource_star(all_statements):
    for role, statement in all_statements:
        if "*" not in resources_of(statement):
            continue
        allowed = ANY_RESOURCE.get(role, ANY_RESOURCE["function"] if role.endswith("FunctionRole") else set())
        assert resources_of(statement) == ["*"]
        assert set(actions_of(statement)) <= allowed, role


def test_every_statement_allows_and_none_denies_or_uses_not_action(all_statements):
    for _, statement in all_statements:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement


def test_the_state_machine_invokes_exactly_its_steps(policy_statements, definition, as_text):
    invoked = set(re.findall(r"\$\{(\w+Function)\.Arn\}", json.dumps(definition)))
    statements = [s for s in policy_statements("OrderStateMachineRole") if "lambda:InvokeFunction" in actions_of(s)]
    resources = {as_text(resource) for statement in statements for resource in resources_of(statement)}

    assert invoked == STEPS
    assert all(actions_of(statement) == ["lambda:InvokeFunction"] for statement in statements)
    # The step's function and its versions (CDK's LambdaInvoke grant), nothing else.
    assert resources == {f"${{{step}.Arn}}" for step in STEPS} | {f"${{{step}.Arn}}:*" for step in STEPS}


def test_the_scheduler_invokes_only_the_timer_targets(policy_statements, as_text):
    statements = policy_statements("SchedulerRole")
    invokes = [statement for statement in statements if actions_of(statement) == ["lambda:InvokeFunction"]]
    dead_letters = [statement for statement in statements if actions_of(statement) == ["sqs:SendMessage"]]
    invoked = {as_text(resource).split(":")[0] for statement in invokes for resource in resources_of(statement)}

    assert len(invokes) + len(dead_letters) == len(statements)
    assert invoked == {"${FollowupFunction.Arn}", "${PartnerDeadlineFunction.Arn}"}
    # What it could not deliver goes to the schedules' dead-letter queue, and nowhere else.
    assert {as_text(resource) for statement in dead_letters for resource in resources_of(statement)} == {
        "${ScheduleDeadLetterQueue.Arn}"
    }


def test_no_role_may_scan(all_statements):
    assert [role for role, statement in all_statements if "dynamodb:Scan" in actions_of(statement)] == []


def test_tracking_sends_email_because_its_code_does_and_no_step_writes_idempotency_records(granted_actions):
    assert "ses:SendEmail" in granted_actions(role_id("tracking"))
    idempotent = {folder for folder, (tables, _) in EXPECTED.items() if "IdempotencyTable" in tables}
    assert idempotent == {"admin_api"}
    for step in ("allocate", "notify", "dispatch", "compensate"):
        assert EXPECTED[step][0].get("IdempotencyTable") is None


def test_the_tracking_code_sends_the_customers_emails():
    from infra.packaging import FUNCTIONS_DIR

    tracking = (FUNCTIONS_DIR / "oms" / "tracking.py").read_text()
    notify = (FUNCTIONS_DIR / "oms" / "fulfilment" / "notify.py").read_text()

    assert "notify_shipment(" in tracking
    assert "from oms.notifications.send import send" in notify
