"""The app's context and parameters: the stage, the seed settings and the sender shape the stack."""

import re

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Match, Template

from infra.app import SKIP_BUNDLING, _cdk_json_context, build_app, synthesize_template
from infra.config import Config, stage_of
from oms.settings import MerchantSettings

OPERATOR_OUTPUTS = {
    "ApiUrl", "StorefrontKeyId", "AdminKeyId", "Sender", "StateMachineArn", "StateMachineConsoleUrl",
    "DashboardName", "DashboardUrl", "OrdersTableName", "InventoryTableName", "CatalogTableName",
    "IdempotencyTableName", "EventBusName", "ScheduleGroupName", "WebhookQueueName", "WebhookDeadLetterQueueName",
}  # fmt: skip


def test_the_stage_is_dev_unless_the_context_names_one():
    assert Config.of(Stack(App())).stage == "dev"
    assert Config.of(Stack(App(context={"stage": "prod"}))).is_prod


@pytest.mark.parametrize("stage", ["Prod", "prod/eu", "-", "a" * 17, 3])
def test_a_stage_that_cannot_name_a_stack_and_its_secrets_is_refused(stage):
    with pytest.raises(ValueError, match="stage"):
        stage_of(App(context={"stage": stage}))


def test_each_stage_is_a_stack_of_its_own():
    _, prod = build_app({"stage": "prod", **SKIP_BUNDLING})

    assert prod.stack_name == "Oms-prod"
    assert stage_of(App(context=_cdk_json_context())) == "dev"


def test_prod_tables_and_secret_are_retained(prod_template):
    for resource in prod_template["Resources"].values():
        if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::SecretsManager::Secret"):
            assert resource["DeletionPolicy"] == "Retain"
            assert resource["UpdateReplacePolicy"] == "Retain"


def test_settings_override_the_seed_defaults_in_every_function(prod_template):
    for resource in prod_template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"]["Environment"]["Variables"]
            assert variables["OMS_SENDER"] == {"Ref": "SenderAddress"}
            assert variables["OMS_FEEDBACK_DELAY_DAYS"] == "3"
            assert variables["OMS_FEEDBACK_DELAY_DAYS_INTERNATIONAL"] == "14"
            assert variables["OMS_STOREFRONT_WEBHOOK_URL"] == "https://shop.example.org/hooks"
            assert variables["PARTNER_SECRET_PREFIX"] == "oms/prod/partners/"


def test_stage_names_the_api_stage_and_the_sender_defaults_to_the_settings(prod_template):
    resources = prod_template["Resources"]

    assert resources["ApiStage"]["Properties"]["StageName"] == "prod"
    assert resources["SenderIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "SenderAddress"}
    assert prod_template["Parameters"]["SenderAddress"]["Default"] == "shop@example.org"


def test_the_sender_is_a_parameter_defaulting_to_the_settings_models(template):
    parameter = template["Parameters"]["SenderAddress"]

    assert parameter["Type"] == "String"
    assert parameter["Default"] == MerchantSettings().sender
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])
    assert not re.fullmatch(parameter["AllowedPattern"], "not an address")


def test_the_sending_grant_follows_the_sender_parameter(policy_statements, as_text):
    (statement,) = [s for s in policy_statements("NotifyFunctionRole") if s["Action"] == "ses:SendEmail"]
    domain = {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "SenderAddress"}]}]}
    # The domain's ARN, should the merchant verify the domain instead of the address.
    (by_domain,) = [resource for resource in statement["Resource"] if resource["Fn::Join"][1][-1] == domain]
    by_name = sorted(as_text(resource) for resource in statement["Resource"] if resource is not by_domain)

    assert as_text({"Fn::Join": ["", by_domain["Fn::Join"][1][:-1]]}).endswith(":identity/")
    assert [name.rsplit(":", 1)[-1] for name in by_name] == [
        "configuration-set/${ConfigurationSet}",
        "identity/${SenderAddress}",
    ]


def test_the_stack_outputs_what_an_operator_needs(template):
    outputs = template["Outputs"]

    assert set(outputs) >= OPERATOR_OUTPUTS
    assert all(outputs[name].get("Description") for name in OPERATOR_OUTPUTS)
    assert outputs["StateMachineArn"]["Value"] == {"Ref": "OrderStateMachine"}
    assert outputs["DashboardName"]["Value"] == {"Ref": "Dashboard"}
    assert outputs["WebhookDeadLetterQueueName"]["Value"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "QueueName"]}
    assert outputs["Sender"]["Value"] == {"Ref": "SenderAddress"}


def test_the_console_links_name_the_state_machine_and_the_dashboard(template, as_text):
    outputs = template["Outputs"]

    assert as_text(outputs["StateMachineConsoleUrl"]["Value"]).endswith(
        "/states/home?region=${AWS::Region}#/statemachines/view/${OrderStateMachine}"
    )
    assert as_text(outputs["DashboardUrl"]["Value"]).endswith("#dashboards/dashboard/${Dashboard}")


def test_unknown_settings_are_refused():
    with pytest.raises(Exception, match="unknown oms:settings keys"):
        synthesize_template({"oms:settings": {"feedback_delay": 3}})


def test_settings_given_on_the_command_line_as_json_text_are_read():
    template = synthesize_template({"oms:settings": '{"merchant_country": "DE", "feedback_delay_days": 5}'})

    Template.from_json(template).has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": Match.object_like({"OMS_MERCHANT_COUNTRY": "DE", "OMS_FEEDBACK_DELAY_DAYS": "5"})
            }
        },
    )
