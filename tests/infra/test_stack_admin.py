"""The admin function: the admin key's id in its environment, and a role with only what its code calls."""

from typing import Any

ROLE = "AdminApiFunctionRole"
SECRET_ACTIONS = {"secretsmanager:GetSecretValue", "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"}


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_the_admin_function_knows_the_admin_keys_id(resources):
    variables = resources("AWS::Lambda::Function")["AdminApiFunction"]["Properties"]["Environment"]["Variables"]

    assert variables["ADMIN_API_KEY_ID"] == {"Ref": "AdminKey"}


def test_the_admin_role_reaches_its_tables_only(  # orders: a receipt's release writes the released orders' rounds
    policy_statements, as_text
):
    tables = {
        table
        for statement in policy_statements(ROLE)
        if any(a.startswith("dynamodb:") for a in _actions(statement))
        for resource in (statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])
        for table in ("OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable")
        if table in as_text(resource) or table in str(resource)
    }

    assert tables == {"OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable"}


def test_the_admin_role_writes_partner_secrets_under_their_prefix_only(policy_statements, as_text):
    statements = [s for s in policy_statements(ROLE) if any(a.startswith("secretsmanager:") for a in _actions(s))]

    (statement,) = statements
    assert _actions(statement) == SECRET_ACTIONS
    assert as_text(statement["Resource"]).endswith(":secret:oms/dev/partners/*")


def test_the_admin_role_sends_no_email_and_only_wakes_executions(granted_actions):
    # A receipt releases backorders: it publishes their events and wakes their orders' executions.
    actions = granted_actions(ROLE)

    assert not {a for a in actions if a.split(":")[0] in ("ses", "scheduler", "iam")}
    assert {a for a in actions if a.startswith("states:")} == {"states:SendTaskSuccess", "states:SendTaskFailure"}
    assert {a for a in actions if a.startswith("events:")} == {"events:PutEvents"}
