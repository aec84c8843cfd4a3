"""The app's context: the stage and the seed settings shape the stack."""

import pytest

from infra.app import synthesize_template


@pytest.fixture(scope="module")
def prod_template():
    return synthesize_template(
        {"stage": "prod", "oms:settings": {"sender": "shop@example.org", "feedback_delay_days": 3,
                                           "storefront_webhook_url": "https://shop.example.org/hooks"}}
    )  # fmt: skip


def test_prod_tables_and_secret_are_retained(prod_template):
    for resource in prod_template["Resources"].values():
        if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::SecretsManager::Secret"):
            assert resource["DeletionPolicy"] == "Retain"
            assert resource["UpdateReplacePolicy"] == "Retain"


def test_settings_override_the_seed_defaults_in_every_function(prod_template):
    for resource in prod_template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"]["Environment"]["Variables"]
            assert variables["OMS_SENDER"] == "shop@example.org"
            assert variables["OMS_FEEDBACK_DELAY_DAYS"] == "3"
            assert variables["OMS_FEEDBACK_DELAY_DAYS_INTERNATIONAL"] == "14"
            assert variables["OMS_STOREFRONT_WEBHOOK_URL"] == "https://shop.example.org/hooks"
            assert variables["PARTNER_SECRET_PREFIX"] == "oms/prod/partners/"


def test_stage_names_the_api_stage_and_the_sender_identity_follows_settings(prod_template):
    resources = prod_template["Resources"]

    assert resources["ApiStage"]["Properties"]["StageName"] == "prod"
    assert resources["SenderIdentity"]["Properties"]["EmailIdentity"] == "shop@example.org"


def test_unknown_settings_are_refused():
    with pytest.raises(Exception, match="unknown oms:settings keys"):
        synthesize_template({"oms:settings": {"feedback_delay": 3}})


def test_settings_given_on_the_command_line_as_json_text_are_read():
    from aws_cdk.assertions import Match, Template

    template = synthesize_template({"oms:settings": '{"merchant_country": "DE", "feedback_delay_days": 5}'})

    Template.from_json(template).has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": Match.object_like({"OMS_MERCHANT_COUNTRY": "DE", "OMS_FEEDBACK_DELAY_DAYS": "5"})
            }
        },
    )
