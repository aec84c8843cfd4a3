"""Who may call what at the API's edge: the key authorizer on every keyed route and on no other, the keys' values
in secrets, the stage's access log, and prod's WAF."""

from __future__ import annotations

import json

import pytest
from test_stack_api import ROUTES

from infra.constructs.api import ROUTES as ROUTE_TABLE
from infra.constructs.api import Party, party_routes

ALL_CONTEXT_FIELDS = {"requestId", "ip", "caller", "method", "resourcePath", "status", "latency", "apiKeyId",
                      "authorizerError", "authorizerStatus", "party", "errorType"}  # fmt: skip


def _methods(template):
    resources = template["Resources"]

    def path_of(parent):
        if "Fn::GetAtt" in parent:
            return ""
        resource = resources[parent["Ref"]]["Properties"]
        return path_of(resource["ParentId"]) + "/" + resource["PathPart"]

    return {
        (r["Properties"]["HttpMethod"], path_of(r["Properties"]["ResourceId"])): r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Method"
    }


def _listed(value):
    return value if isinstance(value, list) else [value]


def _of_type(template, resource_type):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


@pytest.mark.parametrize(("route", "expected"), ROUTES.items(), ids=[" ".join(route) for route in ROUTES])
def test_every_keyed_route_has_the_key_authorizer_and_no_other_route_has_one(template, route, expected):
    _, key_required = expected
    method = _methods(template)[route]

    if key_required:
        assert (method["AuthorizationType"], method["AuthorizerId"]) == ("CUSTOM", {"Ref": "KeyAuthorizer"})
    else:
        assert method["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in method


def test_the_authorizer_is_a_request_authorizer_cached_by_the_key_for_five_minutes(template):
    (authorizer,) = _of_type(template, "AWS::ApiGateway::Authorizer").values()
    properties = authorizer["Properties"]

    assert properties["Type"] == "REQUEST"
    assert properties["IdentitySource"] == "method.request.header.x-api-key"
    assert properties["AuthorizerResultTtlInSeconds"] == 300
    assert '"Fn::GetAtt": ["AuthorizerFunction", "Arn"]' in json.dumps(properties["AuthorizerUri"])


def test_the_authorizer_knows_each_partys_routes_from_the_route_table(template):
    variables = template["Resources"]["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    routes = json.loads(variables["PARTY_ROUTES"])

    assert routes == party_routes()
    assert set(routes["storefront"]) == {"POST /orders", "GET /orders/*", "POST /orders/*/cancel"}
    admin_only = {r.pattern for r in ROUTE_TABLE if r.party == Party.ADMIN}
    assert admin_only.isdisjoint(routes["storefront"])
    assert set(routes["admin"]) == admin_only | set(routes["storefront"])
    keyless = {r.pattern for r in ROUTE_TABLE if not r.key_required}
    assert keyless.isdisjoint(routes["storefront"] + routes["admin"])


def test_each_key_value_comes_from_its_own_secret_which_only_the_authorizer_reads(template, policy_statements):
    resources = template["Resources"]
    variables = resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    for party in ("Storefront", "Admin"):
        secret = f"{party}KeySecret"
        assert resources[secret]["Properties"]["Name"] == f"oms/dev/api-keys/{party.lower()}"
        assert resources[f"{party}Key"]["Properties"]["Value"] == {
            "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret}, ":SecretString:::}}"]]
        }
        assert variables[f"{party.upper()}_KEY_SECRET_ID"] == {"Ref": secret}
        readers = {
            role
            for role in _of_type(template, "AWS::IAM::Role")
            for statement in policy_statements(role)
            if {"Ref": secret} in _listed(statement["Resource"])
        }
        assert readers == {"AuthorizerFunctionRole"}


def test_the_authorizer_role_reads_those_two_secrets_and_nothing_else(policy_statements):
    statements = policy_statements("AuthorizerFunctionRole")
    reads = [s for s in statements if "secretsmanager" in str(s["Action"])]
    others = {action for s in statements if s not in reads for action in _listed(s["Action"])}

    assert sorted(r["Ref"] for s in reads for r in _listed(s["Resource"])) == ["AdminKeySecret", "StorefrontKeySecret"]
    assert {a for s in reads for a in _listed(s["Action"])} == {"secretsmanager:GetSecretValue"}
    assert others == {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}


def test_the_stage_writes_a_json_access_log_to_a_retained_group(template):
    stage = template["Resources"]["ApiStage"]["Properties"]
    fields = json.loads(stage["AccessLogSetting"]["Format"])

    assert set(fields) >= ALL_CONTEXT_FIELDS
    assert fields["apiKeyId"] == "$context.identity.apiKeyId"
    assert fields["authorizerError"] == "$context.authorizer.error"
    assert "ApiAccessLogs" in json.dumps(stage["AccessLogSetting"]["DestinationArn"])
    assert template["Resources"]["ApiAccessLogs"]["Properties"]["RetentionInDays"] == 365


def test_execution_logs_hold_errors_only_and_never_bodies(template):
    (settings,) = template["Resources"]["ApiStage"]["Properties"]["MethodSettings"]

    assert (settings["LoggingLevel"], settings["DataTraceEnabled"]) == ("ERROR", False)


def test_the_account_logging_role_is_set_and_kept_when_the_stack_goes(template):
    (account,) = _of_type(template, "AWS::ApiGateway::Account").values()
    (role_id,) = [k for k, v in _of_type(template, "AWS::IAM::Role").items() if k.startswith("ApiCloudWatchRole")]

    assert account["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert account["DeletionPolicy"] == "Retain"
    assert template["Resources"][role_id]["DeletionPolicy"] == "Retain"


def test_an_account_whose_logging_role_is_set_can_leave_it_alone():
    from infra.app import synthesize_template

    without = synthesize_template({"oms:api-cloudwatch-role": "false"})

    assert _of_type(without, "AWS::ApiGateway::Account") == {}
    assert "AccessLogSetting" in without["Resources"]["ApiStage"]["Properties"]


def test_dev_has_no_web_acl(template):
    assert [r["Type"] for r in template["Resources"].values() if r["Type"].startswith("AWS::WAFv2::")] == []


def test_prod_has_a_regional_web_acl_on_its_stage(prod_template):
    resources = prod_template["Resources"]
    (acl_id,) = _of_type(prod_template, "AWS::WAFv2::WebACL")
    (association,) = _of_type(prod_template, "AWS::WAFv2::WebACLAssociation").values()

    assert resources[acl_id]["Properties"]["Scope"] == "REGIONAL"
    assert resources[acl_id]["Properties"]["DefaultAction"] == {"Allow": {}}
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert "/stages/" in json.dumps(association["Properties"]["ResourceArn"])
    assert '{"Ref": "ApiStage"}' in json.dumps(association["Properties"]["ResourceArn"])


def _rules(prod_template):
    (acl,) = _of_type(prod_template, "AWS::WAFv2::WebACL").values()
    return acl["Properties"], {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}


def test_prods_rate_limit_per_address_answers_the_contracts_429(prod_template):
    properties, rules = _rules(prod_template)
    rule = rules["RatePerAddress"]
    block = rule["Action"]["Block"]["CustomResponse"]
    body = properties["CustomResponseBodies"][block["CustomResponseBodyKey"]]

    assert rule["Priority"] == 0
    assert rule["Statement"]["RateBasedStatement"] == {
        "Limit": 3000,
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": 60,
    }
    assert block["ResponseCode"] == 429
    assert body["ContentType"] == "APPLICATION_JSON"
    assert json.loads(body["Content"])["error"] == {"code": "throttled", "message": "Too many requests; retry later.",
                                                   "details": []}  # fmt: skip


def test_prods_managed_rule_sets_block_after_the_rate_limit_but_let_large_orders_through(prod_template):
    _, rules = _rules(prod_template)
    common, bad_inputs = rules["AWSManagedRulesCommonRuleSet"], rules["AWSManagedRulesKnownBadInputsRuleSet"]

    assert {common["Priority"], bad_inputs["Priority"]} == {1, 2}
    for rule in (common, bad_inputs):
        assert rule["OverrideAction"] == {"None": {}}
        assert rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
    assert common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    ]
    assert "RuleActionOverrides" not in bad_inputs["Statement"]["ManagedRuleGroupStatement"]


def test_prods_key_secrets_are_retained_and_named_for_the_stage(prod_template):
    for party in ("storefront", "admin"):
        secret = prod_template["Resources"][f"{party.capitalize()}KeySecret"]
        assert secret["Properties"]["Name"] == f"oms/prod/api-keys/{party}"
        assert secret["DeletionPolicy"] == "Retain"
