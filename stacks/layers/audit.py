"""Audit layer: the CloudTrail trail of the environment's account, when `[audit]` (or the medical mark) asks."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.audit import AuditTrail
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class AuditOutputs:
    """The trail and where it writes (None when audit is off)."""

    trail_arn: str | None
    bucket_name: str | None
    log_group_name: str | None


def audit_layer(scope: Construct, *, env: EnvironmentContext, account: AccountOutputs) -> AuditOutputs:
    """A multi-region trail with log-file validation to its bucket and log group, protected where the env is."""
    config = env.config.audit
    if not config.enabled:
        return AuditOutputs(trail_arn=None, bucket_name=None, log_group_name=None)
    trail = AuditTrail(
        scope,
        "audit",
        name=env.prefix,
        config=config,
        account_id=account.account_id,
        partition=account.partition,
        region=env.region,
        protected=env.config.protected,
    )
    return AuditOutputs(trail_arn=trail.trail_arn, bucket_name=trail.bucket_name, log_group_name=trail.log_group_name)


def audit_outputs(audit: AuditOutputs) -> list[StackOutput]:
    """The trail, its bucket and its log group, when audit is on."""
    if audit.trail_arn is None:
        return []
    return [
        StackOutput("audit", "cloudtrail_arn", audit.trail_arn, "CloudTrail trail (multi-region, log-file validation)"),
        StackOutput(
            "audit", "audit_bucket_name", audit.bucket_name, "S3 bucket holding the CloudTrail log and digest files"
        ),
        StackOutput(
            "audit", "audit_log_group_name", audit.log_group_name, "CloudWatch log group the trail delivers to"
        ),
    ]
