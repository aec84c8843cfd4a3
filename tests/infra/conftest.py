"""Views of the synthesized template that the infra tests share."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def render(value: Any) -> str:
    """A CloudFormation string expression as text, with `${Ref}`/`${Id.Attr}` placeholders."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(render(part) for part in parts)
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    raise ValueError(f"cannot render {value!r}")


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> Callable[[str], dict[str, dict[str, Any]]]:
    def of_type(resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] == resource_type
        }

    return of_type


@pytest.fixture(scope="session")
def definition(template: dict[str, Any]) -> dict[str, Any]:
    """The order state machine's ASL, parsed."""
    machine = template["Resources"]["OrderStateMachine"]["Properties"]
    return json.loads(render(machine["DefinitionString"]))


@pytest.fixture(scope="session")
def policy_statements(template: dict[str, Any]) -> Callable[[str], list[dict[str, Any]]]:
    """Every policy statement attached to a role, by the role's logical id."""

    def of_role(role_id: str) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = []
        for resource in template["Resources"].values():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            if {"Ref": role_id} in resource["Properties"]["Roles"]:
                statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
        return statements

    return of_role


@pytest.fixture(scope="session")
def granted_actions(policy_statements: Callable[[str], list[dict[str, Any]]]) -> Callable[[str], set[str]]:
    def of_role(role_id: str) -> set[str]:
        actions: set[str] = set()
        for statement in policy_statements(role_id):
            action = statement["Action"]
            actions.update([action] if isinstance(action, str) else action)
        return actions

    return of_role


@pytest.fixture(scope="session")
def as_text() -> Callable[[Any], str]:
    return render


@pytest.fixture(scope="session")
def prod_stage_template() -> dict[str, Any]:
    """The stack synthesized for the prod stage (context stage=prod), once per session."""
    from infra.app import synthesize_template

    return synthesize_template({"stage": "prod"})
