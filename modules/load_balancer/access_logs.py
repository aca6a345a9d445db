"""The ALB's access-log bucket: private, SSE-S3 (the only encryption ALB delivery supports), expiring logs."""

from __future__ import annotations

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from constructs import Construct

from config.load_balancer import LoadBalancerConfig
from modules.bucket import BucketGrant, PrivateBucket


def access_logs_bucket(
    scope: Construct, name: str, config: LoadBalancerConfig, tags: dict[str, str]
) -> tuple[str, ITerraformDependable]:
    """The private bucket ELB delivers access logs to, expiring them; returns its name and its ready marker."""
    logs = config.access_logs
    identity = DataAwsCallerIdentity(scope, "caller")
    elb_account = DataAwsElbServiceAccount(scope, "elb_account")
    log_prefix = f"{logs.prefix}/AWSLogs/{identity.account_id}/"
    bucket = PrivateBucket(
        scope,
        "logs",
        bucket_name=f"{name}-alb-logs-{identity.account_id}",
        # ALB log delivery supports SSE-S3 only; a KMS default would make every delivery fail.
        kms_key_arn=None,
        force_destroy=logs.force_destroy,
        tags={"Name": f"{name}-alb-logs", **tags},
        lifecycle_rules=[
            S3BucketLifecycleConfigurationRule(
                id="expire-access-logs",
                status="Enabled",
                filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=logs.retention_days)],
                noncurrent_version_expiration=[
                    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=7)
                ],
                abort_incomplete_multipart_upload=[
                    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                ],
            )
        ],
        grants=[
            # Regions launched before August 2022 deliver as the regional ELB account ...
            BucketGrant("ElbAccountWritesLogs", "AWS", elb_account.arn, ("s3:PutObject",), log_prefix),
            # ... newer ones as the log-delivery service principal.
            BucketGrant(
                "LogDeliveryWritesLogs",
                "Service",
                "logdelivery.elasticloadbalancing.amazonaws.com",
                ("s3:PutObject",),
                log_prefix,
            ),
        ],
    )
    return bucket.bucket_name, bucket.ready
