"""The functions: one per folder, each with its own role, tracing, log group and environment."""

import re

import pytest

from infra.packaging import FUNCTIONS_DIR

FOLDERS = (
    "place_order", "orders_api", "cancel_order", "allocate", "notify", "dispatch", "tracking",
    "followup", "partner_deadline", "feedback", "compensate", "admin_api", "deliver_webhooks", "authorizer",
)  # fmt: skip
SHARED_ENVIRONMENT = {
    "ORDERS_TABLE": {"Ref": "OrdersTable"},
    "INVENTORY_TABLE": {"Ref": "InventoryTable"},
    "CATALOG_TABLE": {"Ref": "CatalogTable"},
    "IDEMPOTENCY_TABLE": {"Ref": "IdempotencyTable"},
    "EVENT_BUS_NAME": {"Ref": "OmsBus"},
    "PARTNER_SECRET_PREFIX": "oms/dev/partners/",
    "SES_CONFIGURATION_SET": {"Ref": "ConfigurationSet"},
    "OMS_SENDER": {"Ref": "SenderAddress"},
    "OMS_MERCHANT_COUNTRY": "GB",
    "OMS_FEEDBACK_DELAY_DAYS": "7",
    "OMS_FEEDBACK_DELAY_DAYS_INTERNATIONAL": "14",
    "OMS_FEEDBACK_FALLBACK_DAYS": "21",
    "OMS_PARTNER_ACCEPT_HOURS": "48",
    "OMS_STOREFRONT_WEBHOOK_URL": "",
    "OMS_SHOP_NAME": "Merchant Shop",
    "OMS_LOGO_URL": "",
    "OMS_ACCENT_COLOR": "#1f5f8b",
    "OMS_SUPPORT_EMAIL": "",
    "POWERTOOLS_SERVICE_NAME": "oms",
    "POWERTOOLS_METRICS_NAMESPACE": "OMS",
}


def function_id(folder: str) -> str:
    return "".join(part.capitalize() for part in folder.split("_")) + "Function"


@pytest.fixture(scope="module")
def functions(resources):
    return resources("AWS::Lambda::Function")


def test_there_is_one_function_per_folder_named_after_it(functions):
    assert set(functions) == {function_id(folder) for folder in FOLDERS}
    for folder in FOLDERS:
        properties = functions[function_id(folder)]["Properties"]
        assert properties["Handler"] == f"{folder}.handler.lambda_handler"
        assert properties["Runtime"] == "python3.14"
        assert properties["Architectures"] == ["arm64"]


# Memory in MB, from docs/decisions.md: a client waits on the API functions (CPU share shortens their cold
# start); steps, timers and the queue consumer mostly wait on AWS or a partner.
MEMORY = {
    "place_order": 1024, "orders_api": 1024, "cancel_order": 1024, "tracking": 1024, "feedback": 1024,
    "admin_api": 1024, "authorizer": 1024, "allocate": 512, "notify": 512, "dispatch": 512, "followup": 512,
    "partner_deadline": 512, "compensate": 512, "deliver_webhooks": 512,
}  # fmt: skip


def test_each_function_has_the_memory_its_job_calls_for(functions):
    assert {folder: functions[function_id(folder)]["Properties"]["MemorySize"] for folder in FOLDERS} == MEMORY


def test_the_layer_is_for_the_functions_runtime_and_architecture(resources):
    (layer,) = resources("AWS::Lambda::LayerVersion").values()

    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.14"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_each_function_has_its_own_role(functions):
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]

    assert len(set(roles)) == len(functions)


def test_each_function_is_traced_and_logs_to_its_own_retained_for_a_month_group(functions, resources):
    log_groups = resources("AWS::Logs::LogGroup")
    for logical_id, function in functions.items():
        properties = function["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
        assert log_group == f"{logical_id}Logs"
        assert log_groups[log_group]["Properties"]["RetentionInDays"] == 30


def test_each_function_carries_the_dependency_layer(functions, resources):
    (layer_id,) = resources("AWS::Lambda::LayerVersion")
    for function in functions.values():
        assert function["Properties"]["Layers"] == [{"Ref": layer_id}]


def test_every_function_gets_the_shared_environment(functions):
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert {name: variables.get(name) for name in SHARED_ENVIRONMENT} == SHARED_ENVIRONMENT


# What a function that sets the order's schedules reads: the group, the role they run as, their dead letters.
SCHEDULES = {"SCHEDULE_GROUP_NAME", "SCHEDULER_ROLE_ARN", "SCHEDULE_DEAD_LETTER_QUEUE_ARN"}


@pytest.mark.parametrize(
    ("folder", "extra"),
    [
        ("place_order", {"STATE_MACHINE_ARN"}),
        ("tracking", {*SCHEDULES, "FOLLOWUP_FUNCTION_ARN"}),
        ("followup", {"FEEDBACK_KEY_SECRET_ARN", "PUBLIC_BASE_URL"}),
        ("feedback", {"FEEDBACK_KEY_SECRET_ARN"}),
        ("orders_api", set()),
        ("cancel_order", {*SCHEDULES, "FOLLOWUP_FUNCTION_ARN", "WEBHOOK_QUEUE_URL"}),
        ("allocate", {"WEBHOOK_QUEUE_URL"}),
        (
            "dispatch",
            {
                *SCHEDULES,
                "DEADLINE_FUNCTION_ARN",
                "FOLLOWUP_FUNCTION_ARN",
                "WEBHOOK_QUEUE_URL",
            },
        ),
        ("partner_deadline", SCHEDULES),
        ("notify", set()),
        ("compensate", {"WEBHOOK_QUEUE_URL"}),
        ("admin_api", {"ADMIN_API_KEY_ID", "WEBHOOK_QUEUE_URL", "WEBHOOK_DEAD_LETTER_QUEUE_URL"}),
        ("deliver_webhooks", {"WEBHOOK_QUEUE_URL", "STOREFRONT_WEBHOOK_SECRET_ID"}),
        ("authorizer", {"STOREFRONT_KEY_SECRET_ID", "ADMIN_KEY_SECRET_ID", "PARTY_ROUTES"}),
    ],
)
def test_functions_get_only_their_own_extra_environment(functions, folder, extra):
    variables = functions[function_id(folder)]["Properties"]["Environment"]["Variables"]

    assert set(variables) - set(SHARED_ENVIRONMENT) == extra


def test_seams_point_at_the_right_resources(functions, as_text):
    def variables(folder):
        return functions[function_id(folder)]["Properties"]["Environment"]["Variables"]

    assert variables("place_order")["STATE_MACHINE_ARN"] == {"Ref": "OrderStateMachine"}
    assert variables("tracking")["SCHEDULE_GROUP_NAME"] == {"Ref": "FeedbackSchedules"}
    assert variables("tracking")["SCHEDULER_ROLE_ARN"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}
    for setter in ("tracking", "cancel_order", "dispatch"):
        assert variables(setter)["FOLLOWUP_FUNCTION_ARN"] == {"Fn::GetAtt": ["FollowupFunction", "Arn"]}
    assert variables("followup")["FEEDBACK_KEY_SECRET_ARN"] == {"Ref": "FeedbackKeySecret"}
    assert as_text(variables("followup")["PUBLIC_BASE_URL"]) == (
        "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev"
    )


@pytest.mark.parametrize(
    ("folder", "needed", "forbidden"),
    [
        ("place_order", {"states:StartExecution", "dynamodb:PutItem"}, {"ses:SendEmail"}),
        ("orders_api", {"dynamodb:Query"}, {"dynamodb:PutItem", "events:PutEvents"}),
        ("cancel_order", {"dynamodb:UpdateItem", "ses:SendEmail", "states:SendTaskSuccess", "events:PutEvents",
                          "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "iam:PassRole"},
         {"states:StartExecution", "secretsmanager:GetSecretValue"}),
        ("dispatch", {"states:SendTaskSuccess", "ses:SendEmail", "events:PutEvents",
                      "sqs:SendMessage"},
         {"states:StartExecution", "secretsmanager:GetSecretValue", "sqs:ReceiveMessage"}),
        ("tracking", {"states:SendTaskSuccess", "secretsmanager:GetSecretValue",
                      "ses:SendEmail", "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "iam:PassRole"},
         {"states:StartExecution", "secretsmanager:CreateSecret"}),
        ("followup", {"ses:SendEmail", "secretsmanager:GetSecretValue", "dynamodb:BatchGetItem"},
         {"scheduler:CreateSchedule"}),
        ("partner_deadline", {"ses:SendEmail", "scheduler:CreateSchedule", "iam:PassRole", "dynamodb:UpdateItem"},
         {"secretsmanager:GetSecretValue", "states:SendTaskSuccess"}),
        ("dispatch", {"scheduler:CreateSchedule", "iam:PassRole"}, {"secretsmanager:GetSecretValue"}),
        ("feedback", {"secretsmanager:GetSecretValue", "dynamodb:PutItem"}, {"ses:SendEmail"}),
        ("notify", {"ses:SendEmail"}, {"secretsmanager:GetSecretValue", "ses:SendRawEmail"}),
        ("compensate", {"ses:SendEmail", "dynamodb:UpdateItem"},
         {"states:StartExecution", "secretsmanager:GetSecretValue"}),
        ("allocate", {"dynamodb:UpdateItem", "dynamodb:GetItem", "events:PutEvents"}, {"ses:SendEmail"}),
        ("admin_api", {"states:SendTaskSuccess", "dynamodb:UpdateItem", "events:PutEvents"},
         {"ses:SendEmail", "states:StartExecution"}),
        ("authorizer", {"secretsmanager:GetSecretValue"},
         {"dynamodb:GetItem", "dynamodb:PutItem", "events:PutEvents", "ses:SendEmail", "sqs:SendMessage"}),
    ],
)  # fmt: skip
def test_each_role_grants_what_its_job_needs_and_not_more(granted_actions, folder, needed, forbidden):
    actions = granted_actions(f"{function_id(folder)}Role")

    assert needed <= actions
    assert not forbidden & actions


def test_no_function_scans_a_table_so_no_role_may(resources, granted_actions):
    scanning = [
        f"{path.relative_to(FUNCTIONS_DIR)}:{number}"
        for path in sorted(FUNCTIONS_DIR.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.scan\(", line)
    ]
    roles = [role for role in resources("AWS::IAM::Role") if "dynamodb:Scan" in granted_actions(role)]

    assert scanning == []
    assert roles == []


def test_only_followup_and_feedback_may_read_the_feedback_key(policy_statements):
    readers = {
        folder
        for folder in FOLDERS
        for statement in policy_statements(f"{function_id(folder)}Role")
        if statement["Resource"] == {"Ref": "FeedbackKeySecret"}
    }

    assert readers == {"followup", "feedback"}


def test_partner_secrets_are_read_by_prefix_only(policy_statements, as_text):
    statement = next(
        statement
        for statement in policy_statements("TrackingFunctionRole")
        if statement["Action"] == "secretsmanager:GetSecretValue"
    )

    assert as_text(statement["Resource"]).endswith(":secret:oms/dev/partners/*")


def test_only_the_scheduler_role_is_passed_by_tracking(policy_statements):
    (statement,) = [s for s in policy_statements("TrackingFunctionRole") if s["Action"] == "iam:PassRole"]

    assert statement["Resource"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}


def test_only_the_receipts_may_touch_the_idempotency_records(policy_statements):
    writers = {
        folder
        for folder in FOLDERS
        for statement in policy_statements(f"{function_id(folder)}Role")
        if "IdempotencyTable" in str(statement["Resource"])
    }

    assert writers == {"admin_api"}
