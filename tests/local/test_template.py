"""Resolving a CloudFormation template's intrinsics to local names and ARNs."""

from __future__ import annotations

import json

import pytest
from stack_fixtures import template

from local.aws.template import ACCOUNT_ID, REGION, Template, TemplateError


@pytest.fixture
def loaded() -> Template:
    return Template(template())


def test_unnamed_resource_is_named_after_its_logical_id(loaded):
    assert loaded.resolve({"Ref": "OrdersTable"}) == "OrdersTable"
    assert (
        loaded.resolve({"Fn::GetAtt": ["OrdersTable", "Arn"]})
        == f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/OrdersTable"
    )


def test_explicit_names_come_from_the_name_property_resolved(loaded):
    assert loaded.physical_name("IdempotencyTable") == "OmsLocal-idempotency"
    assert loaded.resolve({"Ref": "Bus"}) == "OmsLocal-bus"
    assert loaded.resolve({"Fn::GetAtt": "Bus.Arn"}) == f"arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/OmsLocal-bus"


def test_refs_follow_each_types_cloudformation_meaning(loaded):
    assert loaded.resolve({"Ref": "OrderMachine"}) == f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:OrderMachine"
    assert loaded.resolve({"Ref": "ReserveFunction"}) == "ReserveFunction"
    assert loaded.resolve({"Fn::GetAtt": ["FunctionRole", "Arn"]}) == f"arn:aws:iam::{ACCOUNT_ID}:role/FunctionRole"
    assert loaded.resolve({"Ref": "Stage"}) == "local"


def test_pseudo_parameters_are_the_local_account_and_region(loaded):
    value = loaded.resolve({"Fn::Sub": "${AWS::Partition}:${AWS::Region}:${AWS::AccountId}:${AWS::URLSuffix}"})
    assert value == f"aws:{REGION}:{ACCOUNT_ID}:amazonaws.com"


def test_sub_resolves_attributes_variables_and_escapes(loaded):
    value = loaded.resolve({"Fn::Sub": ["${ReserveFunction.Arn}|${x}|${!Literal}", {"x": {"Ref": "Stage"}}]})
    assert value == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:ReserveFunction|local|${{Literal}}"


def test_select_split_join_and_if_compose(loaded):
    arn = {"Fn::GetAtt": ["OrderMachine", "Arn"]}
    assert loaded.resolve({"Fn::Select": [6, {"Fn::Split": [":", arn]}]}) == "OrderMachine"
    assert loaded.resolve({"Fn::Join": ["/", ["a", {"Fn::If": ["IsProd", "prod", "dev"]}]]}) == "a/dev"
    assert loaded.resolve({"k": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}, "j": 1}) == {"j": 1}


def test_state_machine_definition_resolves_to_valid_asl(loaded):
    definition = json.loads(loaded.properties("OrderMachine")["DefinitionString"])
    assert definition["States"]["Reserve"]["Resource"].endswith(":function:ReserveFunction")
    assert definition["States"]["Park"]["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"


def test_conditions_decide_which_resources_exist(loaded):
    assert "ProdAlarm" not in list(loaded.of_type("AWS::CloudWatch::Alarm"))
    assert Template({**template(), "Parameters": {"Stage": {"Default": "prod"}}}).exists("ProdAlarm")


def test_bound_values_override_computed_ones(loaded):
    loaded.bind(
        "FeedbackKey",
        ref="arn:aws:secretsmanager:us-east-1:1:secret:FeedbackKey-AbCdEf",
        Arn="arn:aws:secretsmanager:us-east-1:1:secret:FeedbackKey-AbCdEf",
    )
    assert loaded.resolve({"Ref": "FeedbackKey"}).endswith("-AbCdEf")


def test_unresolvable_intrinsics_raise_a_clear_error(loaded):
    with pytest.raises(TemplateError, match="ImportValue"):
        loaded.resolve({"Fn::ImportValue": "Elsewhere"})
    with pytest.raises(TemplateError, match="Nope"):
        loaded.resolve({"Ref": "Nope"})
