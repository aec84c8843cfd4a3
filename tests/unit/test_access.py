"""Who may call what at the edge: a key's party and the policy the authorizer answers for it."""

from __future__ import annotations

import json

import pytest

from oms.access import NOBODY, Party, header, parse_routes, party_of, policy

KEYS = {Party.STOREFRONT: "storefront-key-value-0001", Party.ADMIN: "admin-key-value-00000001"}
ROUTES = {"storefront": ["POST /orders", "GET /orders/*"], "admin": ["GET /inventory/*", "POST /orders"]}
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/inventory/TEE-RED-M"
EVENT = {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-Api-Key": KEYS[Party.ADMIN]}}


@pytest.mark.parametrize(
    ("key", "party"), [(KEYS[Party.STOREFRONT], Party.STOREFRONT), (KEYS[Party.ADMIN], Party.ADMIN)]
)
def test_each_key_is_its_own_party(key, party):
    assert party_of(key, KEYS) == party


@pytest.mark.parametrize("key", [None, "", "storefront-key-value-000", KEYS[Party.ADMIN] + "x", "admin"])
def test_anything_else_is_no_party(key):
    assert party_of(key, KEYS) is None


def test_an_unset_key_value_matches_nothing_not_even_an_empty_header():
    assert party_of("", {Party.STOREFRONT: "", Party.ADMIN: KEYS[Party.ADMIN]}) is None


def test_the_key_header_is_found_whatever_its_case():
    assert header(EVENT, "x-api-key") == KEYS[Party.ADMIN]
    assert header({"headers": None}, "x-api-key") is None


def test_a_party_is_allowed_every_route_it_may_call_on_the_stage_so_a_cached_answer_serves_them_all():
    answer = policy(EVENT, Party.STOREFRONT, ROUTES)

    assert answer["principalId"] == "storefront"
    assert answer["context"] == {"party": "storefront"}
    assert answer["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": [
                    "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/orders",
                    "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders/*",
                ],
            }
        ],
    }


def test_an_unknown_key_is_denied_the_whole_stage_and_its_value_is_not_repeated():
    answer = policy({**EVENT, "headers": {"x-api-key": "guess"}}, None, ROUTES)

    assert answer["principalId"] == NOBODY
    assert "context" not in answer
    assert answer["policyDocument"]["Statement"] == [
        {
            "Action": "execute-api:Invoke",
            "Effect": "Deny",
            "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"],
        }
    ]
    assert "guess" not in json.dumps(answer)


def test_a_party_without_routes_is_denied_the_stage():
    answer = policy(EVENT, Party.ADMIN, {"storefront": ["POST /orders"]})

    assert answer["principalId"] == "admin"
    (statement,) = answer["policyDocument"]["Statement"]
    assert (statement["Effect"], statement["Resource"]) == (
        "Deny",
        ["arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"],
    )


def test_the_routes_setting_is_a_json_object_of_lists():
    assert parse_routes(json.dumps(ROUTES)) == ROUTES
    with pytest.raises(ValueError):
        parse_routes('["POST /orders"]')
    with pytest.raises(ValueError):
        parse_routes('{"storefront": "POST /orders"}')
