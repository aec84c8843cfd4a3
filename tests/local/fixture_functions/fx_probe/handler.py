"""Fixture handler: make the AWS calls the event lists and say how each ended, as the handler saw it;
`domain` calls go through the domain's DynamoDB wrappers and say whether they ended as TransientError."""

import boto3
from botocore.exceptions import ClientError

from oms.errors import TransientError
from oms.repository import dynamo


def lambda_handler(event, context):
    return [_call(call) for call in event["calls"]]


def _call(call):
    try:
        if call.get("domain") == "transact":
            dynamo.transact(call["params"]["TransactItems"])
        elif call.get("domain") == "db":
            getattr(dynamo.db(), call["method"])(**call["params"])
        else:
            getattr(boto3.client(call["service"]), call["method"])(**call.get("params", {}))
    except TransientError as error:
        return {"transient": str(error), "cause": error.__cause__.response["Error"]["Code"]}
    except ClientError as error:
        return {
            "error": error.response["Error"]["Code"],
            "exception": type(error).__name__,
            "reasons": [reason.get("Code") for reason in error.response.get("CancellationReasons", [])],
        }
    return {"ok": True}
