"""The tables: keys, indexes, billing, recovery and encryption as docs/architecture.md says, and what
survives the stack: in prod the data and its logs outlive it, in dev nothing does."""

import inspect

import pytest
from aws_cdk.assertions import Match, Template

from infra.packaging import FUNCTIONS_DIR

TABLES = ("OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable")
STAGES = ("dev", "prod")


@pytest.fixture(params=STAGES)
def staged(request, template, prod_template):
    """(stage, template) for each stage, both synthesized once per session."""
    return request.param, {"dev": template, "prod": prod_template}[request.param]


def of_type(template, resource_type):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def test_every_table_is_on_demand_with_point_in_time_recovery_and_encryption(staged):
    _, template = staged
    tables = of_type(template, "AWS::DynamoDB::Table")

    assert set(tables) == set(TABLES)
    for table in tables.values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"]["SSEEnabled"] is True


def test_tables_are_plain_tables_not_global_tables(resources):
    assert resources("AWS::DynamoDB::GlobalTable") == {}


def test_tables_are_deleted_with_a_dev_stack_and_unprotected(resources):
    for table in resources("AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Delete"
        assert table["UpdateReplacePolicy"] == "Delete"
        assert not table["Properties"].get("DeletionProtectionEnabled", False)


def test_prod_tables_are_retained_and_protected_from_deletion(prod_template):
    for table in of_type(prod_template, "AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_prod_log_groups_and_secrets_are_retained_and_dev_ones_are_not(staged):
    stage, template = staged
    policy = "Retain" if stage == "prod" else "Delete"
    kept = {**of_type(template, "AWS::Logs::LogGroup"), **of_type(template, "AWS::SecretsManager::Secret")}

    assert len(kept) >= 15
    assert {logical_id: resource["DeletionPolicy"] for logical_id, resource in kept.items()} == dict.fromkeys(
        kept, policy
    )


def test_every_log_group_expires_its_events(staged):
    _, template = staged
    for log_group in of_type(template, "AWS::Logs::LogGroup").values():
        assert log_group["Properties"]["RetentionInDays"] > 0


def test_idempotency_records_expire_on_the_attribute_powertools_writes(resources):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    written = inspect.signature(DynamoDBPersistenceLayer).parameters["expiry_attr"].default
    properties = resources("AWS::DynamoDB::Table")["IdempotencyTable"]["Properties"]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": written, "Enabled": True}


def test_webhook_attempts_and_key_claims_expire_and_no_other_orders_item_carries_the_attribute(resources):
    properties = resources("AWS::DynamoDB::Table")["OrdersTable"]["Properties"]
    writers = [
        path.relative_to(FUNCTIONS_DIR).as_posix()
        for path in sorted((FUNCTIONS_DIR / "oms").rglob("*.py"))
        if '"expires_at"' in path.read_text()
    ]

    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # Task tokens are attributes of the order item (oms/repository/orders.py: wake_token), not items of
    # their own, so they live and go with the order; only the webhook attempts and POST /orders'
    # Idempotency-Key claims (decision 34) expire.
    assert writers == ["oms/repository/orders.py", "oms/repository/webhooks.py"]


def _index(name: str, projection: dict) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": projection,
    }


def test_orders_table_is_keyed_by_pk_sk_with_the_partner_and_listing_indexes(template):
    summary = {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["order_id", "external_ref", "customer", "created_at", "listing"],
    }

    Template.from_json(template).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                Match.object_like(_index("GSI1", {"ProjectionType": "ALL"})),
                Match.object_like(_index("GSI2", summary)),
                Match.object_like(_index("GSI3", summary)),
            ],
        },
    )


def test_the_inventory_table_files_each_locations_movements_in_time_order(resources):
    properties = resources("AWS::DynamoDB::Table")["InventoryTable"]["Properties"]

    assert properties["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "LEDGER",
            "KeySchema": [
                {"AttributeName": "LEDGERPK", "KeyType": "HASH"},
                {"AttributeName": "LEDGERSK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]


def test_inventory_and_catalog_tables_are_keyed_by_pk_sk(resources):
    tables = resources("AWS::DynamoDB::Table")
    for logical_id in ("InventoryTable", "CatalogTable"):
        assert tables[logical_id]["Properties"]["KeySchema"] == [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ]


def test_idempotency_table_is_keyed_by_id_and_expires_records(resources):
    properties = resources("AWS::DynamoDB::Table")["IdempotencyTable"]["Properties"]

    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
