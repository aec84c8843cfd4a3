"""The event bus, the feedback schedules, the feedback key, SES and the dashboard exist as named."""

from aws_cdk.assertions import Match, Template


def test_domain_event_bus_exists(resources):
    assert set(resources("AWS::Events::EventBus")) == {"OmsBus"}


def test_feedback_schedule_group_exists(resources):
    assert set(resources("AWS::Scheduler::ScheduleGroup")) == {"FeedbackSchedules"}


def test_scheduler_role_is_assumed_by_scheduler_and_may_only_invoke_the_timer_targets(template, policy_statements):
    Template.from_json(template).has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [Match.object_like({"Principal": {"Service": "scheduler.amazonaws.com"}})],
                "Version": "2012-10-17",
            }
        },
    )
    everything = policy_statements("SchedulerRole")
    # Besides invoking its targets, it may only dead-letter what it could not deliver.
    dead_letters = [statement for statement in everything if statement["Action"] != "lambda:InvokeFunction"]
    assert [statement["Resource"] for statement in dead_letters] == [{"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}]
    assert dead_letters[0]["Action"] == "sqs:SendMessage"
    statements = [statement for statement in everything if statement["Action"] == "lambda:InvokeFunction"]
    assert statements
    targets = {
        name
        for statement in statements
        for resource in statement["Resource"]
        for name in ("FollowupFunction", "PartnerDeadlineFunction")
        if name in str(resource)
    }
    assert targets == {"FollowupFunction", "PartnerDeadlineFunction"}
    assert all(
        any(name in str(resource) for name in targets) for statement in statements for resource in statement["Resource"]
    )


def test_feedback_key_is_a_generated_secret(resources):
    secret = resources("AWS::SecretsManager::Secret")["FeedbackKeySecret"]["Properties"]

    assert secret["GenerateSecretString"]["PasswordLength"] >= 32


def test_sender_identity_uses_the_configuration_set(template, resources):
    assert set(resources("AWS::SES::ConfigurationSet")) == {"ConfigurationSet"}
    Template.from_json(template).has_resource_properties(
        "AWS::SES::EmailIdentity",
        {
            "EmailIdentity": {"Ref": "SenderAddress"},
            "ConfigurationSetAttributes": {"ConfigurationSetName": {"Ref": "ConfigurationSet"}},
        },
    )


def test_operators_have_a_dashboard(resources):
    assert set(resources("AWS::CloudWatch::Dashboard")) == {"Dashboard"}
