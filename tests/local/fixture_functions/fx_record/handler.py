"""Fixture rule target: record the event it received."""

import json
import os

import boto3


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"PK": f"ORDER#{event['detail']['order_id']}", "SK": "RECORDED", "event": json.dumps(event)})
    return {}
