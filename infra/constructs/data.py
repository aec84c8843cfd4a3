"""The DynamoDB tables: orders, inventory, catalogue and idempotency records."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.config import Config, stable_id
from oms.repository import keys

_STRING = dynamodb.AttributeType.STRING


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: Config) -> None:
        super().__init__(scope, construct_id)
        # Only webhook delivery attempts (a month) and Idempotency-Key claims (24 h) carry `expires_at`;
        # orders are kept for ever.
        self.orders = self._table("OrdersTable", config, ttl="expires_at")
        self._index(self.orders, keys.PARTNER_INDEX)
        # The order list: summaries only (keys.LISTING_PROJECTION), never the order's lines or address.
        self.listing_indexes = (keys.STATUS_INDEX, keys.ORDERS_INDEX)
        for index in self.listing_indexes:
            self._index(self.orders, index, include=keys.LISTING_PROJECTION)
        self.inventory = self._table("InventoryTable", config)
        # Each location's stock ledger in time order; only movements carry its keys.
        self._index(self.inventory, keys.LEDGER_INDEX)
        self.catalog = self._table("CatalogTable", config)
        self.idempotency = self._table("IdempotencyTable", config, partition_key="id", sort_key=None, ttl="expiration")

    @staticmethod
    def _index(table: dynamodb.Table, name: str, include: tuple[str, ...] = ()) -> None:
        partition_key, sort_key = keys.INDEX_KEYS[name]
        table.add_global_secondary_index(
            index_name=name,
            partition_key=dynamodb.Attribute(name=partition_key, type=_STRING),
            sort_key=dynamodb.Attribute(name=sort_key, type=_STRING),
            projection_type=dynamodb.ProjectionType.INCLUDE if include else dynamodb.ProjectionType.ALL,
            non_key_attributes=list(include) or None,
        )

    def _table(
        self,
        construct_id: str,
        config: Config,
        *,
        partition_key: str = "PK",
        sort_key: str | None = "SK",
        ttl: str | None = None,
    ) -> dynamodb.Table:
        # dynamodb.Table, a single-region AWS::DynamoDB::Table: TableV2 synthesizes a replica set
        # (AWS::DynamoDB::GlobalTable) whose per-replica settings OMS has no use for in one region.
        table = dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(name=partition_key, type=_STRING),
            sort_key=dynamodb.Attribute(name=sort_key, type=_STRING) if sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=ttl,
            removal_policy=config.removal_policy,
            deletion_protection=config.is_prod,
        )
        stable_id(table, construct_id)
        return table
