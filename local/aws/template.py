"""Read a CloudFormation template and resolve its intrinsic functions to the names and ARNs moto uses."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

from local.aws.names import ACCOUNT_ID, NAME_PROPERTIES, PSEUDO_PARAMETERS, REGION, URL_SUFFIX, arn_for

__all__ = ["ACCOUNT_ID", "REGION", "Template", "TemplateError", "arn_for"]

# Types whose Ref is the ARN rather than the name.
_REF_IS_ARN = {
    "AWS::StepFunctions::StateMachine",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::IAM::ManagedPolicy",
}

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class TemplateError(ValueError):
    """The template uses something the local resolver cannot give a value to."""


class Template:
    """A CloudFormation template whose intrinsics resolve to local names, ARNs and bound values."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.raw = template
        self.resources: dict[str, dict[str, Any]] = template.get("Resources", {})
        self.parameters: dict[str, dict[str, Any]] = template.get("Parameters", {})
        self.conditions: dict[str, Any] = template.get("Conditions", {})
        self.mappings: dict[str, Any] = template.get("Mappings", {})
        self._refs: dict[str, Any] = {}
        self._attributes: dict[tuple[str, str], Any] = {}

    # What provisioning learns (a secret's ARN suffix, an API id) overrides what is computed.
    def bind(self, logical_id: str, ref: Any = None, **attributes: Any) -> None:
        if ref is not None:
            self._refs[logical_id] = ref
        for name, value in attributes.items():
            self._attributes[(logical_id, name)] = value

    def type_of(self, logical_id: str) -> str:
        return str(self._resource(logical_id)["Type"])

    def of_type(self, *resource_types: str) -> Iterator[str]:
        """Logical ids of the resources of these types that exist under the template's conditions."""
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in resource_types and self.exists(logical_id):
                yield logical_id

    def exists(self, logical_id: str) -> bool:
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resolve(self._resource(logical_id).get("Properties", {})))

    def physical_name(self, logical_id: str) -> str:
        resource = self._resource(logical_id)
        name_property = NAME_PROPERTIES.get(resource["Type"])
        explicit = resource.get("Properties", {}).get(name_property) if name_property else None
        return str(self.resolve(explicit)) if explicit is not None else logical_id

    def arn(self, logical_id: str) -> str:
        bound = self._attributes.get((logical_id, "Arn"))
        if bound is not None:
            return str(bound)
        return arn_for(self.type_of(logical_id), self.physical_name(logical_id))

    def ref(self, name: str) -> Any:
        if name in self._refs:
            return self._refs[name]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.parameters:
            if "Default" not in self.parameters[name]:
                raise TemplateError(f"parameter {name} has no Default to use locally")
            return self.parameters[name]["Default"]
        resource_type = self.type_of(name)
        if resource_type in _REF_IS_ARN:
            return self.arn(name)
        if resource_type == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.{URL_SUFFIX}/{ACCOUNT_ID}/{self.physical_name(name)}"
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if (logical_id, attribute) in self._attributes:
            return self._attributes[(logical_id, attribute)]
        resource_type = self.type_of(logical_id)
        name = self.physical_name(logical_id)
        if attribute == "Arn" or attribute.endswith(".Arn") or attribute in ("TableArn", "RoleArn"):
            return self.arn(logical_id)
        if attribute in ("Name", "QueueName", "TopicName", "StateMachineName"):
            return name
        if attribute == "RoleId":
            return f"AROA{abs(hash(name)) % 10**16:016d}"
        if attribute == "StreamArn":
            return f"{self.arn(logical_id)}/stream/local"
        if attribute == "QueueUrl":
            return self.ref(logical_id)
        if attribute == "RootResourceId":
            return f"{logical_id}-root"
        if attribute == "Id" or attribute.endswith("Id"):
            return name
        raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute} ({resource_type}) has no local value")

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(self.conditions[name]))

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic function replaced by its local result."""
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item) for item in value]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, argument)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _resource(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.resources:
            raise TemplateError(f"no resource or parameter named {logical_id}")
        return self.resources[logical_id]

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {key: self._resolve(item) for key, item in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            token = match.group(1)
            if token.startswith("!"):
                return "${" + token[1:] + "}"
            if token in variables:
                return str(variables[token])
            if "." in token and token.split(".", 1)[0] in self.resources:
                logical_id, attribute = token.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(token))

        return _SUB_VARIABLE.sub(substitute, text)


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()


def _get_att(template: Template, argument: Any) -> Any:
    if isinstance(argument, str):
        logical_id, attribute = argument.split(".", 1)
    else:
        logical_id, attribute = argument[0], template._resolve(argument[1])
    return template.get_att(logical_id, attribute)


def _join(template: Template, argument: Any) -> str:
    delimiter, items = argument
    return str(delimiter).join(str(item) for item in template._resolve(items))


def _select(template: Template, argument: Any) -> Any:
    index, items = template._resolve(argument[0]), template._resolve(argument[1])
    return items[int(index)]


def _split(template: Template, argument: Any) -> list[str]:
    delimiter, text = argument
    return str(template._resolve(text)).split(delimiter)


def _if(template: Template, argument: Any) -> Any:
    name, when_true, when_false = argument
    return template._resolve(when_true if template.condition(name) else when_false)


def _equals(template: Template, argument: Any) -> bool:
    left, right = template._resolve(argument)
    return bool(left == right)


def _find_in_map(template: Template, argument: Any) -> Any:
    name, top, second = (template._resolve(item) for item in argument)
    return template.mappings[name][top][second]


def _import_value(template: Template, argument: Any) -> Any:
    raise TemplateError(f"Fn::ImportValue {argument} cannot be resolved by a single local stack")


def _get_azs(template: Template, argument: Any) -> list[str]:
    return [f"{REGION}{zone}" for zone in "abc"]


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda template, argument: template.ref(argument),
    "Fn::GetAtt": _get_att,
    "Fn::Join": _join,
    "Fn::Sub": lambda template, argument: template._sub(argument),
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": lambda template, argument: all(template._resolve(argument)),
    "Fn::Or": lambda template, argument: any(template._resolve(argument)),
    "Fn::Not": lambda template, argument: not template._resolve(argument)[0],
    "Condition": lambda template, argument: (
        template.condition(argument) if isinstance(argument, str) else {"Condition": template._resolve(argument)}
    ),
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": lambda template, argument: base64.b64encode(str(template._resolve(argument)).encode()).decode(),
    "Fn::ImportValue": _import_value,
    "Fn::GetAZs": _get_azs,
    "Fn::ToJsonString": lambda template, argument: json.dumps(template._resolve(argument)),
}
