"""Fixture mailer: send one raw multipart email through SESv2, as notify does."""

import os
from email.message import EmailMessage

import boto3


def lambda_handler(event, context):
    message = EmailMessage()
    message["Subject"] = event["subject"]
    message["From"] = os.environ["OMS_SENDER"]
    message["To"] = event["to"]
    message["X-OMS-Kind"] = event["kind"]
    message["X-OMS-Order-Id"] = event["order_id"]
    if event.get("shipment_id"):
        message["X-OMS-Shipment-Id"] = event["shipment_id"]
    message.set_content(event["text"])
    message.add_alternative(event["html"], subtype="html")
    sent = boto3.client("sesv2").send_email(
        FromEmailAddress=os.environ["OMS_SENDER"],
        Destination={"ToAddresses": [event["to"]]},
        Content={"Raw": {"Data": message.as_bytes()}},
        ConfigurationSetName=os.environ["SES_CONFIGURATION_SET"],
    )
    return {"message_id": sent["MessageId"]}
