"""One source of settings: the merchant's defaults, the variables they travel in, each function's needs."""

import json

import pytest

from local.seed import DEFAULT_SEED
from oms import settings
from oms.models import Seed


def test_the_shipped_seed_shows_the_models_defaults():
    shipped = json.loads(DEFAULT_SEED.read_text())["settings"]

    assert shipped == settings.MerchantSettings().model_dump()
    assert Seed().settings == settings.MerchantSettings()


def test_a_function_without_a_setting_it_needs_fails_naming_it(monkeypatch):
    monkeypatch.setenv("ORDERS_TABLE", "orders")
    monkeypatch.delenv("STATE_MACHINE_ARN", raising=False)
    settings.reload()

    @settings.requires("orders_table", "state_machine_arn")
    def handler() -> str:
        return "ran"

    with pytest.raises(settings.MissingSettings, match="STATE_MACHINE_ARN"):
        handler()
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:states:us-east-1:1:stateMachine:m")
    settings.reload()
    assert handler() == "ran"
    settings.reload()


def test_settings_are_read_from_their_variables(monkeypatch):
    monkeypatch.setenv("OMS_FEEDBACK_DELAY_DAYS", "5")
    monkeypatch.setenv("ORDERS_TABLE", "orders")

    assert (settings.reload().feedback_delay_days, settings.settings().orders_table) == (5, "orders")
    monkeypatch.undo()
    settings.reload()
