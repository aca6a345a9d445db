"""AWS WAF (v2) web ACL on the ALB: a per-IP rate limit and AWS managed rule groups, logged with secrets redacted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

from config.security import WafConfig

FORWARDED_FOR = "X-Forwarded-For"
"""The header CloudFront appends the viewer's address to; behind CloudFront every request comes from an edge."""

REDACTED_HEADERS = ("authorization", "cookie")
"""Headers that carry credentials (bearer tokens, session cookies) and must not reach the WAF logs."""


def metric_name(text: str) -> str:
    """A CloudWatch metric name WAF accepts: letters, digits, '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)[:128]


class WebAcl(Construct):
    """A web ACL, REGIONAL on the ALB or CLOUDFRONT for a distribution; requests pass unless a rule blocks them.

    A CLOUDFRONT ACL must be created in us-east-1 (pass that `provider`) and is attached by the distribution's
    `web_acl_id`, so it gets no association here (`alb_arn=None`). With `forwarded_ip` the rate limit counts the
    first address of `X-Forwarded-For` (the viewer, as CloudFront reports it) instead of the connecting address
    (a CloudFront edge); requests without the header are counted under the rate limit's fallback (MATCH).

    Rule order: the rate limit first (cheapest, stops floods before they are inspected), then the AWS managed
    groups in config order. Every rule and the ACL publish CloudWatch metrics and keep sampled requests. The
    construct does nothing when `config.enabled` is false, so callers can create it unconditionally.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: WafConfig,
        alb_arn: str | None,
        log_kms_key_arn: str | None = None,
        scope_: Literal["REGIONAL", "CLOUDFRONT"] = "REGIONAL",
        forwarded_ip: bool = False,
        provider: TerraformProvider | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.web_acl_arn: str | None = None
        self.web_acl_id: str | None = None
        self.log_group_name: str | None = None
        if not config.enabled:
            return
        tags = dict(tags or {})

        rate: dict[str, Any] = {
            "limit": config.rate_limit,
            "evaluation_window_sec": config.rate_window_seconds,
            "aggregate_key_type": "IP",
        }
        if forwarded_ip:
            rate["aggregate_key_type"] = "FORWARDED_IP"
            rate["forwarded_ip_config"] = {"header_name": FORWARDED_FOR, "fallback_behavior": "MATCH"}
        rules = [
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=0,
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={"rate_based_statement": rate},
                visibility_config=self._visibility(f"{name}-rate-limit-per-ip"),
            )
        ]
        for priority, group in enumerate(config.managed_rule_groups, start=1):
            statement: dict[str, Any] = {"name": group, "vendor_name": "AWS"}
            counted = config.count_rules.get(group, ())
            if counted:
                statement["rule_action_override"] = [{"name": rule, "action_to_use": {"count": {}}} for rule in counted]
            rules.append(
                Wafv2WebAclRule(
                    name=group,
                    priority=priority,
                    override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                    statement={"managed_rule_group_statement": statement},
                    visibility_config=self._visibility(f"{name}-{group}"),
                )
            )

        acl = Wafv2WebAcl(
            self,
            "acl",
            name=name,
            description=f"{name}: rate limit {config.rate_limit} per {config.rate_window_seconds}s per IP, "
            f"AWS managed rules",
            scope=scope_,
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()),
            rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name=metric_name(name), sampled_requests_enabled=True
            ),
            tags={"Name": name, **tags},
            provider=provider,
        )
        if alb_arn is not None:
            Wafv2WebAclAssociation(self, "association", resource_arn=alb_arn, web_acl_arn=acl.arn)
        self.web_acl_arn = acl.arn
        self.web_acl_id = acl.id

        if config.logging:
            # WAF only delivers to log groups whose name starts with aws-waf-logs-.
            log_group = CloudwatchLogGroup(
                self,
                "logs",
                name=f"aws-waf-logs-{name}",
                retention_in_days=config.log_retention_days,
                kms_key_id=log_kms_key_arn,
                tags=tags,
                provider=provider,
            )
            Wafv2WebAclLoggingConfiguration(
                self,
                "logging",
                resource_arn=acl.arn,
                log_destination_configs=[log_group.arn],
                redacted_fields=[
                    Wafv2WebAclLoggingConfigurationRedactedFields(
                        single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                    )
                    for header in REDACTED_HEADERS
                ],
                provider=provider,
            )
            self.log_group_name = log_group.name

    @staticmethod
    def _visibility(metric: str) -> Wafv2WebAclRuleVisibilityConfig:
        return Wafv2WebAclRuleVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=metric_name(metric), sampled_requests_enabled=True
        )
