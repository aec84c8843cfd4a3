"""The tables: keys, indexes, billing, recovery and encryption as docs/architecture.md says."""

from aws_cdk.assertions import Match, Template

TABLES = ("OrdersTable", "InventoryTable", "CatalogTable", "IdempotencyTable")


def test_every_table_is_on_demand_with_point_in_time_recovery_and_encryption(template, resources):
    tables = resources("AWS::DynamoDB::Table")

    assert set(tables) == set(TABLES)
    for table in tables.values():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"]["SSEEnabled"] is True


def test_tables_are_plain_tables_not_global_tables(resources):
    assert resources("AWS::DynamoDB::GlobalTable") == {}


def test_tables_are_deleted_with_a_dev_stack(resources):
    for table in resources("AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Delete"


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
