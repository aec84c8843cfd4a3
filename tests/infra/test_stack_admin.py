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


def _dynamodb_statements(policy_statements: Any) -> list[dict[str, Any]]:
    return [s for s in policy_statements(ROLE) if any(a.startswith("dynamodb:") for a in _actions(s))]


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def test_the_admin_role_reaches_its_tables_only(  # orders: receipts release orders, and the order list
    policy_statements, as_text
):
    tables = {
        table
        for statement in _dynamodb_statements(policy_statements)
        for resource in _resources(statement)
        for table in ("OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable")
        if table in as_text(resource) or table in str(resource)
    }

    assert tables == {"OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable"}


def test_the_admin_role_may_query_the_order_lists_indexes(policy_statements, as_text):
    on_orders = [s for s in _dynamodb_statements(policy_statements) if "OrdersTable" in str(s["Resource"])]

    assert any(
        "dynamodb:Query" in _actions(s) and "${OrdersTable.Arn}/index/*" in [as_text(r) for r in _resources(s)]
        for s in on_orders
    )


def test_the_admin_role_may_query_the_stock_ledgers_index(policy_statements, as_text):
    on_inventory = [s for s in _dynamodb_statements(policy_statements) if "InventoryTable" in str(s["Resource"])]

    assert any(
        "dynamodb:Query" in _actions(s) and "${InventoryTable.Arn}/index/*" in [as_text(r) for r in _resources(s)]
        for s in on_inventory
    )


def test_the_admin_role_writes_partner_secrets_under_their_prefix_only(policy_statements, as_text):
    statements = [s for s in policy_statements(ROLE) if any(a.startswith("secretsmanager:") for a in _actions(s))]

    (statement,) = statements
    assert _actions(statement) == SECRET_ACTIONS
    assert as_text(statement["Resource"]).endswith(":secret:oms/dev/partners/*")


def test_the_admin_role_sends_no_email_and_only_wakes_executions(granted_actions):
    # A receipt releases backorders: it publishes their events and wakes their orders' executions.
    actions = granted_actions(ROLE)

    assert not {a for a in actions if a.split(":")[0] in ("ses", "scheduler", "iam")}
    assert {a for a in actions if a.startswith("states:")} == {"states:SendTaskSuccess"}
    assert {a for a in actions if a.startswith("events:")} == {"events:PutEvents"}
