"""A small hand-written CloudFormation template shaped like the CDK's output, and stacks built on it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from local.runtime.stack import local_stack

FIXTURE_FUNCTIONS = Path(__file__).resolve().parent / "fixture_functions"
SENDER = "shop@example.com"

_MACHINE: dict[str, Any] = {
    "StartAt": "Reserve",
    "States": {
        "Reserve": {
            "Type": "Task",
            "Resource": "@@ReserveFunction@@",
            "ResultPath": "$.reservation",
            "Retry": [{"ErrorEquals": ["TransientError"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "SoldOut"}],
            "Next": "Park",
        },
        "Park": {
            "Type": "Task",
            "Resource": "arn:@@AWS::Partition@@:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "@@ParkFunction@@",
                "Payload": {"order_id.$": "$.order_id", "task_token.$": "$$.Task.Token"},
            },
            "ResultPath": "$.progress",
            "Next": "Cool",
        },
        "Cool": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "SoldOut": {"Type": "Fail", "Error": "SoldOut", "Cause": "no stock"},
    },
}


def _joined(document: dict[str, Any]) -> dict[str, Any]:
    """The definition as the CDK emits it: a Fn::Join of JSON text and intrinsics."""
    parts: list[Any] = []
    for index, piece in enumerate(json.dumps(document).split("@@")):
        if index % 2 == 0:
            parts.append(piece)
        elif piece.startswith("AWS::"):
            parts.append({"Ref": piece})
        else:
            parts.append({"Fn::GetAtt": [piece, "Arn"]})
    return {"Fn::Join": ["", parts]}


def _function(folder: str, environment: dict[str, Any] | None = None, runtime: str = "python3.11") -> dict:
    variables = {
        "TABLE_NAME": {"Ref": "OrdersTable"},
        "EVENT_BUS_NAME": {"Ref": "Bus"},
        "SES_CONFIGURATION_SET": {"Ref": "ConfigSet"},
        "POWERTOOLS_SERVICE_NAME": folder,
        "STAGE_FLAVOUR": {"Fn::If": ["IsProd", "prod", "dev"]},
        **(environment or {}),
    }
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {
                "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                "S3Key": "abc.zip",
            },
            "Handler": f"{folder}.handler.lambda_handler",
            "Runtime": runtime,
            "Timeout": 30,
            "MemorySize": 256,
            "Role": {"Fn::GetAtt": ["FunctionRole", "Arn"]},
            "Environment": {"Variables": variables},
        },
        "DependsOn": ["FunctionRole"],
    }


def _role(service: str) -> dict:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}],
                "Version": "2012-10-17",
            }
        },
    }


TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "local"},
        "BootstrapVersion": {
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": "/cdk-bootstrap/hnb659fds/version",
        },
    },
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
    "Resources": {
        "OrdersTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                "AttributeDefinitions": [
                    {"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "GSI1PK", "GSI1SK")
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "GSI1",
                        "KeySchema": [
                            {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                            {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            },
        },
        "IdempotencyTable": {
            "Type": "AWS::DynamoDB::GlobalTable",
            "Properties": {
                "TableName": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "idempotency"]]},
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "Replicas": [{"Region": "us-east-1"}],
                "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
            },
        },
        "FunctionRole": _role("lambda.amazonaws.com"),
        "MachineRole": _role("states.amazonaws.com"),
        "MachineRolePolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {}}},
        "ReserveFunction": _function("fx_reserve"),
        "ParkFunction": _function("fx_park"),
        "StartFunction": _function("fx_start", {"STATE_MACHINE_ARN": {"Ref": "OrderMachine"}}),
        "RemindFunction": _function("fx_remind"),
        "RecordFunction": _function("fx_record"),
        "MailFunction": _function("fx_mail", {"OMS_SENDER": SENDER}),
        "LogRetentionProvider": _function("index", runtime="nodejs20.x"),
        "OrderMachine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "DefinitionString": _joined(_MACHINE),
                "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]},
                "StateMachineType": "STANDARD",
            },
        },
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-bus"}}},
        "ReminderRule": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "EventBusName": {"Ref": "Bus"},
                "EventPattern": {"source": ["oms.test"], "detail-type": ["Reminded"]},
                "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["RecordFunction", "Arn"]}}],
            },
        },
        "Schedules": {"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": "oms-local-schedules"}},
        "SchedulerRole": _role("scheduler.amazonaws.com"),
        "FeedbackKey": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"GenerateSecretString": {"PasswordLength": 48, "ExcludePunctuation": True}},
        },
        "ConfigSet": {"Type": "AWS::SES::ConfigurationSet", "Properties": {"Name": "oms-local"}},
        "Sender": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": SENDER}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "ProdAlarm": {"Type": "AWS::CloudWatch::Alarm", "Condition": "IsProd", "Properties": {}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "oms"}},
        "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:abc"}},
    },
}


def template() -> dict[str, Any]:
    return copy.deepcopy(TEMPLATE)


@pytest.fixture
def stack():
    with local_stack(template(), code_paths=[FIXTURE_FUNCTIONS]) as running:
        yield running


@pytest.fixture
def instant_stack():
    with local_stack(template(), code_paths=[FIXTURE_FUNCTIONS], sleep_mode="instant") as running:
        yield running


QUEUE_RESOURCES: dict[str, Any] = {
    "WebhookDeadLetters": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
    "WebhookQueue": {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": 30,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": ["WebhookDeadLetters", "Arn"]},
                "maxReceiveCount": 3,
            },
        },
    },
    "DeliverFunction": _function("fx_deliver", {"QUEUE_URL": {"Ref": "WebhookQueue"}}),
    "DeliverMapping": {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "FunctionName": {"Ref": "DeliverFunction"},
            "EventSourceArn": {"Fn::GetAtt": ["WebhookQueue", "Arn"]},
            "BatchSize": 2,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    },
    "WebhookShippedRule": {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "EventPattern": {"source": ["oms.test"], "detail-type": ["Shipped"]},
            "Targets": [
                {
                    "Id": "Target0",
                    "Arn": {"Fn::GetAtt": ["WebhookQueue", "Arn"]},
                    "InputTransformer": {
                        "InputPathsMap": {"order": "$.detail.key"},
                        "InputTemplate": '{"key": "<order>", "kind": "shipped"}',
                    },
                }
            ],
        },
    },
    "WebhookDeliveredRule": {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "EventPattern": {"source": ["oms.test"], "detail-type": ["Delivered"]},
            "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": ["WebhookQueue", "Arn"]}, "InputPath": "$.detail"}],
        },
    },
}


def queue_template() -> dict[str, Any]:
    """The template with a webhook queue, its dead-letter queue, a delivering function mapped to it and
    rules on the bus feeding it, as outgoing webhooks are built."""
    document = template()
    document["Resources"].update(copy.deepcopy(QUEUE_RESOURCES))
    return document
