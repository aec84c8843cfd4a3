"""Fixture step: take stock for an order, failing by name as a domain step does."""

import os

import boto3
from botocore.exceptions import ClientError


class OutOfStock(Exception):
    pass


class TransientError(Exception):
    pass


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    if event.get("fail_times", 0) > 0:
        counter = table.update_item(
            Key={"PK": f"ORDER#{event['order_id']}", "SK": "ATTEMPTS"},
            UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )
        if counter["Attributes"]["attempts"] <= event["fail_times"]:
            raise TransientError("try again")
    try:
        table.update_item(
            Key={"PK": f"SKU#{event['sku']}", "SK": "STOCK"},
            UpdateExpression="SET available = available - :q",
            ConditionExpression="available >= :q",
            ExpressionAttributeValues={":q": event["quantity"]},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise OutOfStock(f"not enough {event['sku']}") from error
        raise
    return {
        "reserved": event["quantity"],
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
