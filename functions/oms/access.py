"""Who may call what at the API's edge: the party an `x-api-key` value belongs to, and the IAM policy a Lambda
REQUEST authorizer answers for it.

API Gateway caches the answer by the key alone (the authorizer's identity source) and reuses it on every route
that key calls for the cache's lifetime, so the policy lists every route of the party, not just the one asked:
a policy naming only the first route would refuse the party's next route until the cache expired.

A route is `"<METHOD> /<path>"` with `*` for each path parameter, as API Gateway matches `execute-api` ARNs.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any


class Party(StrEnum):
    STOREFRONT = "storefront"
    ADMIN = "admin"


# principalId of an answer that allows nothing: the key's value never goes into a policy, a log or a context.
NOBODY = "unknown-key"


def party_of(key: str | None, keys: Mapping[Party, str]) -> Party | None:
    """The party whose key `key` is; every key is compared in constant time, so timing tells nothing."""
    found = None
    for party, value in keys.items():
        if key is not None and value and hmac.compare_digest(key.encode(), value.encode()):
            found = party
    return found


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header of an authorizer event, matched without regard to case as HTTP does."""
    headers = event.get("headers") or {}
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


def api_arn(method_arn: str) -> str:
    """`arn:...:execute-api:<region>:<account>:<api>/<stage>` of a method ARN
    (`.../<stage>/<METHOD>/<path>`)."""
    api, stage, *_ = method_arn.split("/", 2)
    return f"{api}/{stage}"


def policy(event: Mapping[str, Any], party: Party | None, routes: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The authorizer's answer: Allow on every route of the party; an unknown key (or a party with no routes, as
    an empty Resource list is no valid policy) is denied the whole stage."""
    stage = api_arn(str(event["methodArn"]))
    resources = [f"{stage}/{route.replace(' /', '/', 1)}" for route in routes.get(party.value, ())] if party else []
    if party is None or not resources:
        statement = {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [f"{stage}/*"]}
        return {"principalId": party.value if party else NOBODY, "policyDocument": _document(statement)}
    statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resources}
    return {"principalId": party.value, "policyDocument": _document(statement), "context": {"party": party.value}}


def parse_routes(text: str) -> dict[str, list[str]]:
    """The `PARTY_ROUTES` setting: a JSON object of party -> routes."""
    loaded = json.loads(text)
    if not isinstance(loaded, dict) or not all(isinstance(v, list) for v in loaded.values()):
        raise ValueError("PARTY_ROUTES is a JSON object of party -> list of routes")
    return {str(party): [str(route) for route in found] for party, found in loaded.items()}


def _document(statement: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement]}
