"""Fixture step: park the task token on the order, as dispatch does."""

import os

import boto3


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"PK": f"ORDER#{event['order_id']}", "SK": "TOKEN", "token": event["task_token"]})
    return {"parked": True}
