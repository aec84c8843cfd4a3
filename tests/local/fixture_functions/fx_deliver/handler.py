"""Fixture webhook deliverer: record every record it is given; a message not yet due to succeed is put
back with its backoff and reported failed, one due to crash fails the whole batch."""

import json
import os

import boto3


class DeliveryCrashed(Exception):
    pass


def lambda_handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    for record in event["Records"]:
        table.update_item(
            Key={"PK": "DELIVERED", "SK": str(json.loads(record["body"])["key"])},
            UpdateExpression="SET records = list_append(if_not_exists(records, :none), :record)",
            ExpressionAttributeValues={":none": [], ":record": [json.dumps(record)]},
        )
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        receives = int(record["attributes"]["ApproximateReceiveCount"])
        if receives in body.get("crash_on", []):
            raise DeliveryCrashed(f"{body['key']} crashed on receive {receives}")
        if receives < body.get("succeed_on", 1):
            boto3.client("sqs").change_message_visibility(
                QueueUrl=os.environ["QUEUE_URL"],
                ReceiptHandle=record["receiptHandle"],
                VisibilityTimeout=body.get("backoff", 60),
            )
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
