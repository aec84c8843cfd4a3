"""Fixture schedule target: announce a reminder on the bus."""

import json
import os

import boto3


def lambda_handler(event, context):
    boto3.client("events").put_events(
        Entries=[
            {
                "Source": "oms.test",
                "DetailType": "Reminded",
                "EventBusName": os.environ["EVENT_BUS_NAME"],
                "Detail": json.dumps({"order_id": event["order_id"]}),
            }
        ]
    )
    return {"reminded": event["order_id"]}
