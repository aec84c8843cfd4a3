"""Fixture API function: start the order's execution, as place_order does."""

import json
import os

import boto3


def lambda_handler(event, context):
    body = json.loads(event["body"])
    boto3.client("stepfunctions").start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"], name=body["order_id"], input=json.dumps(body)
    )
    return {
        "statusCode": 202,
        "body": json.dumps({"order_id": body["order_id"]}),
        "service": os.environ["POWERTOOLS_SERVICE_NAME"],
        "request_id": context.aws_request_id,
    }
