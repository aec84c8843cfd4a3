"""One source of settings: the CDK app and the local stack derive the same variables from one model."""

import pytest
from aws_cdk import App

from infra.config import DEFAULT_SETTINGS, Config
from local.seed import settings_environment
from oms import settings
from oms.models import Seed


def test_the_cdk_app_and_the_local_stack_map_settings_to_the_same_variables():
    chosen = {"merchant_country": "DE", "feedback_delay_days": 3, "storefront_webhook_url": None}
    app = App(context={"oms:settings": chosen})

    on_aws = Config.of(app).settings_environment()
    local = settings_environment(Seed.model_validate({"settings": chosen}).model_dump(mode="json"), "http://x")

    assert on_aws == {name: value for name, value in local.items() if name != "PUBLIC_BASE_URL"}
    assert on_aws["OMS_MERCHANT_COUNTRY"] == "DE"
    assert on_aws["OMS_STOREFRONT_WEBHOOK_URL"] == ""
    assert set(DEFAULT_SETTINGS) == set(settings.MerchantSettings.model_fields)


def test_a_secret_setting_never_becomes_a_variable_or_context():
    assert "OMS_STOREFRONT_WEBHOOK_SECRET" not in settings.environment({"storefront_webhook_secret": "s3cr3t"})
    with pytest.raises(ValueError, match="secrets"):
        Config.of(App(context={"oms:settings": {"storefront_webhook_secret": "s3cr3t"}}))
