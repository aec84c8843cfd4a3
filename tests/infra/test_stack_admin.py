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


def test_the_admin_role_reaches_its_tables_only(policy_statements, as_text):
    tables = {
        table
        for statement in _dynamodb_statements(policy_statements)
        for resource in _resources(statement)
        for table in ("OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable")
        if table in as_text(resource) or table in str(resource)
    }

    assert tables == {"OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable"}


def test_the_admin_role_only_queries_the_order_lists_indexes_of_the_orders_table(policy_statements, as_text):
    on_orders = [s for s in _dynamodb_statements(policy_statements) if "OrdersTable" in str(s["Resource"])]

    (statement,) = on_orders
    assert _actions(statement) == {"dynamodb:Query"}
    assert sorted(as_text(r) for r in _resources(statement)) == [
        "${OrdersTable.Arn}/index/GSI2",
        "${OrdersTable.Arn}/index/GSI3",
    ]


def test_the_admin_role_writes_partner_secrets_under_their_prefix_only(policy_statements, as_text):
    statements = [s for s in policy_statements(ROLE) if any(a.startswith("secretsmanager:") for a in _actions(s))]

    (statement,) = statements
    assert _actions(statement) == SECRET_ACTIONS
    assert as_text(statement["Resource"]).endswith(":secret:oms/dev/partners/*")


def test_the_admin_role_sends_nothing_and_starts_nothing(granted_actions):
    actions = granted_actions(ROLE)

    assert not {a for a in actions if a.split(":")[0] in ("ses", "states", "events", "scheduler", "iam")}
