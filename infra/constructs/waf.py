"""prod's WAF on the API stage: a rate limit per client address, answered in the contract's error envelope, and
AWS's managed rule sets."""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constructs.envelope import error_envelope

# The rate limit is per client address over a sliding window: 3,000 requests a minute is half the stage's 100 a
# second, so no one address can hold more than half of the stage for long; a storefront's servers placing orders
# stay far below it, and the stage and usage plan throttle below that.
WAF_RATE_LIMIT = 3000
WAF_RATE_WINDOW = 60
THROTTLED = ("throttled", "Too many requests; retry later.")
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
# Rules of those groups that only count: the common set blocks bodies over 8 KB, and an order of 100 lines with
# long SKUs is a valid body over that; API Gateway and the functions bound a body's size themselves (413, 400).
COUNTED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _managed(group: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    """An AWS managed rule group that blocks what it matches (WAF's own 403), but for the rules it only counts."""
    overrides = [
        wafv2.CfnWebACL.RuleActionOverrideProperty(
            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
        )
        for rule in COUNTED_RULES.get(group, ())
    ]
    return wafv2.CfnWebACL.RuleProperty(
        name=group,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=group, rule_action_overrides=overrides or None
            )
        ),
        visibility_config=_visibility(group),
    )


class WebAcl(Construct):
    """A regional web ACL associated with the stage: first the rate limit per client address, blocked as the
    contract's `429 throttled`; then AWS's common and known-bad-inputs rule sets."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: apigateway.Stage) -> None:
        super().__init__(scope, construct_id)
        code, message = THROTTLED
        rate = wafv2.CfnWebACL.RuleProperty(
            name="RatePerAddress",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429, custom_response_body_key=code
                    )
                )
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=WAF_RATE_LIMIT, aggregate_key_type="IP", evaluation_window_sec=WAF_RATE_WINDOW
                )
            ),
            visibility_config=_visibility("RatePerAddress"),
        )
        self.acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("OmsApi"),
            custom_response_bodies={
                code: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=error_envelope(code, message)
                )
            },
            rules=[rate, *(_managed(group, priority) for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1))],
        )
        self.acl.override_logical_id("WebAcl")
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.acl.attr_arn
        )
        association.override_logical_id("WebAclAssociation")
