"""Fixture handler: record every delivery of an event (the event and its request id), to count them."""

import json
import os

import boto3


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.update_item(
        Key={"PK": "DELIVERIES", "SK": str(event.get("key", "-"))},
        UpdateExpression="SET runs = list_append(if_not_exists(runs, :none), :run)",
        ExpressionAttributeValues={
            ":none": [],
            ":run": [{"event": json.dumps(event, sort_keys=True), "request_id": context.aws_request_id}],
        },
    )
    return {"counted": event.get("key", "-")}
