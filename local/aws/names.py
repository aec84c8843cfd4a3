"""The names AWS (and moto) give things locally: account, region, pseudo parameters, name properties, ARNs."""

from __future__ import annotations

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"

PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": URL_SUFFIX,
    "AWS::StackName": "OmsLocal",
    "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/OmsLocal/local",
    "AWS::NotificationARNs": [],
}

# The property that carries an explicit physical name, by resource type.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": "PolicyName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SES::ConfigurationSet": "Name",
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::ApiGateway::RestApi": "Name",
}


def arn_for(resource_type: str, name: str) -> str:
    """The ARN AWS (and moto) gives a resource of this type and physical name."""
    head = f"arn:{PARTITION}"
    region_account = f"{REGION}:{ACCOUNT_ID}"
    shapes = {
        "AWS::DynamoDB::Table": f"{head}:dynamodb:{region_account}:table/{name}",
        "AWS::DynamoDB::GlobalTable": f"{head}:dynamodb:{region_account}:table/{name}",
        "AWS::Lambda::Function": f"{head}:lambda:{region_account}:function:{name}",
        "AWS::StepFunctions::StateMachine": f"{head}:states:{region_account}:stateMachine:{name}",
        "AWS::IAM::Role": f"{head}:iam::{ACCOUNT_ID}:role/{name}",
        "AWS::IAM::ManagedPolicy": f"{head}:iam::{ACCOUNT_ID}:policy/{name}",
        "AWS::Events::EventBus": f"{head}:events:{region_account}:event-bus/{name}",
        "AWS::Events::Rule": f"{head}:events:{region_account}:rule/{name}",
        "AWS::Scheduler::ScheduleGroup": f"{head}:scheduler:{region_account}:schedule-group/{name}",
        "AWS::Scheduler::Schedule": f"{head}:scheduler:{region_account}:schedule/default/{name}",
        "AWS::SecretsManager::Secret": f"{head}:secretsmanager:{region_account}:secret:{name}",
        "AWS::SES::ConfigurationSet": f"{head}:ses:{region_account}:configuration-set/{name}",
        "AWS::SES::EmailIdentity": f"{head}:ses:{region_account}:identity/{name}",
        "AWS::SQS::Queue": f"{head}:sqs:{region_account}:{name}",
        "AWS::SNS::Topic": f"{head}:sns:{region_account}:{name}",
        "AWS::Logs::LogGroup": f"{head}:logs:{region_account}:log-group:{name}:*",
        "AWS::S3::Bucket": f"{head}:s3:::{name}",
        "AWS::KMS::Key": f"{head}:kms:{region_account}:key/{name}",
    }
    if resource_type in shapes:
        return shapes[resource_type]
    service = resource_type.split("::")[1].lower() if "::" in resource_type else "custom"
    return f"{head}:{service}:{region_account}:{resource_type.split('::')[-1].lower()}/{name}"
