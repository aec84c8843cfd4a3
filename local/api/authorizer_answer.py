"""What API Gateway makes of a Lambda authorizer's answer: whether it can read it, whether its policy allows
`execute-api:Invoke` on a method, and the context the integration sees."""

from __future__ import annotations

import json
import re
from typing import Any


def readable(answer: Any) -> bool:
    """An authorizer's answer API Gateway can use: a principal, a policy document of statements whose actions and
    resources are strings, and a context of flat values (an object or array there is a configuration error)."""
    if not isinstance(answer, dict) or not isinstance(answer.get("principalId"), str):
        return False
    document = answer.get("policyDocument")
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        return False
    for statement in statements:
        for field in ("Action", "Resource"):
            value = statement.get(field)
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
                return False
    context = answer.get("context")
    if context is None:
        return True
    return isinstance(context, dict) and not any(isinstance(v, dict | list) for v in context.values())


def allows(document: dict[str, Any], method_arn: str) -> bool:
    """IAM's evaluation of an authorizer's policy for `execute-api:Invoke` on the method: an explicit Deny wins,
    then an Allow, else the implicit deny."""
    allowed = False
    for statement in document["Statement"]:
        actions, resources = statement.get("Action", []), statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(glob(action.lower(), "execute-api:invoke") for action in actions):
            continue
        if not any(glob(resource, method_arn) for resource in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def glob(pattern: str, value: str) -> bool:
    """IAM's wildcards: `*` any run of characters (`/` included), `?` any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def context_values(answer: dict[str, Any]) -> dict[str, str]:
    """The answer's context as a REST proxy integration sees it: values as text, nulls left out."""
    return {key: _as_text(value) for key, value in (answer.get("context") or {}).items() if value is not None}


def _as_text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)
