"""Fixture handler: count its runs of an event, and fail until it has run `succeed_on` times."""

import os

import boto3


class Flaky(Exception):
    pass


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    runs = table.update_item(
        Key={"PK": "FLAKY", "SK": str(event["key"])},
        UpdateExpression="ADD runs :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]["runs"]
    if runs < event["succeed_on"]:
        raise Flaky(f"run {runs} fails")
    return {"runs": int(runs)}
