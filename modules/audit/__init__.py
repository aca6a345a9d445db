"""The audit trail: a multi-region CloudTrail trail to a protected, encrypted bucket and to CloudWatch Logs."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_object_lock_configuration import (
    S3BucketObjectLockConfigurationA,
    S3BucketObjectLockConfigurationRuleA,
    S3BucketObjectLockConfigurationRuleDefaultRetentionA,
)
from constructs import Construct

from config.monitoring import AuditConfig
from config.names import cloudtrail_logs_role_name
from modules.bucket import BucketGrant, PrivateBucket
from modules.iam import service_trust_policy
from modules.kms import EncryptionKey

CLOUDTRAIL = "cloudtrail.amazonaws.com"

NONCURRENT_DAYS = 30
"""Days an overwritten or deleted log file stays as a noncurrent version (a deletion can be undone this long)."""


class AuditTrail(Construct):
    """CloudTrail for the account, all regions, with log-file validation (digest files), management events.

    Log files go to `{name}-audit-<account>`: a private bucket (TLS 1.2+ only, versioned, public access blocked,
    KMS default encryption) writable only by CloudTrail for this trail (aws:SourceArn), expiring files after
    `bucket_retention_days`, with optional Object Lock (a default retention per object), `prevent_destroy` when
    `protected`, and never `force_destroy`. The trail, its bucket and its log group are encrypted with a key of
    their own whose policy lets CloudTrail encrypt for this trail only; readers decrypt through IAM in this
    account. The trail also delivers to the log group `/aws/cloudtrail/{name}` (kept `log_retention_days`)
    through a role that may only write log streams of that group.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: AuditConfig,
        account_id: str,
        partition: str,
        region: str,
        protected: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        assert config.bucket_retention_days is not None, "AuditConfig requires it with enabled = true"
        tags = dict(tags or {})
        trail_name = f"{name}-trail"
        trail_arn = f"arn:{partition}:cloudtrail:{region}:{account_id}:trail/{trail_name}"
        for_this_trail = DataAwsIamPolicyDocumentStatementCondition(
            test="StringEquals", variable="aws:SourceArn", values=[trail_arn]
        )
        cloudtrail = [DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[CLOUDTRAIL])]
        key = EncryptionKey(
            self,
            "kms",
            alias=f"{name}-audit",
            description=f"{name} audit trail",
            account_id=account_id,
            partition=partition,
            region=region,
            protected=protected,
            tags=tags,
            service_statements=[
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudTrailEncryptsLogs",
                    actions=["kms:GenerateDataKey*"],
                    resources=["*"],  # in a key policy, "*" is this key
                    principals=cloudtrail,
                    condition=[
                        for_this_trail,
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringLike",
                            variable="kms:EncryptionContext:aws:cloudtrail:arn",
                            values=[f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"],
                        ),
                    ],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudTrailDescribesKey",
                    actions=["kms:DescribeKey"],
                    resources=["*"],
                    principals=cloudtrail,
                    condition=[for_this_trail],
                ),
            ],
        )
        lock = config.object_lock
        bucket = PrivateBucket(
            self,
            "bucket",
            bucket_name=f"{name}-audit-{account_id}",
            kms_key_arn=key.key_arn,
            protect=protected,
            tags={"Name": f"{name}-audit", **tags},
            lifecycle_rules=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-trail-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=config.bucket_retention_days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=NONCURRENT_DAYS)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
            grants=[
                BucketGrant(
                    "CloudTrailReadsAcl",
                    "Service",
                    CLOUDTRAIL,
                    ("s3:GetBucketAcl",),
                    "",
                    conditions=(for_this_trail,),
                    on_bucket=True,
                ),
                BucketGrant(
                    "CloudTrailWritesLogs",
                    "Service",
                    CLOUDTRAIL,
                    ("s3:PutObject",),
                    f"AWSLogs/{account_id}/",
                    conditions=(for_this_trail,),
                ),
            ],
        )
        if lock is not None:
            # Provider 5.x enables Object Lock through this resource on new and existing (versioned) buckets, so
            # turning it on later is an in-place change; `object_lock_enabled` on the bucket would replace it.
            # Object Lock cannot be switched off again once on (AWS).
            S3BucketObjectLockConfigurationA(
                self,
                "object_lock",
                bucket=bucket.bucket_id,
                depends_on=[bucket.versioning] if bucket.versioning is not None else None,
                rule=S3BucketObjectLockConfigurationRuleA(
                    default_retention=S3BucketObjectLockConfigurationRuleDefaultRetentionA(
                        mode=lock.mode, days=lock.days
                    )
                ),
            )
        log_group = CloudwatchLogGroup(
            self,
            "log_group",
            name=f"/aws/cloudtrail/{name}",
            retention_in_days=config.log_retention_days,
            kms_key_id=key.key_arn,
            tags=tags,
        )
        write_streams = DataAwsIamPolicyDocument(
            self,
            "logs_policy",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{log_group.arn}:log-stream:*"],
                )
            ],
        )
        role = IamRole(
            self,
            "logs_role",
            name=cloudtrail_logs_role_name(name),
            assume_role_policy=service_trust_policy(
                self, "logs_trust", service=CLOUDTRAIL, account_id=account_id, source_arn=trail_arn
            ),
            tags=tags,
        )
        role_policy = IamRolePolicy(self, "logs_role_policy", role=role.name, policy=write_streams.json)
        trail = Cloudtrail(
            self,
            "trail",
            name=trail_name,
            s3_bucket_name=bucket.bucket_id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=key.key_arn,
            cloud_watch_logs_group_arn=f"{log_group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            # CloudTrail checks the bucket policy and that the role can write when the trail is created.
            depends_on=[bucket.ready, role_policy],
            tags=tags,
        )
        self.trail_arn: str = trail.arn
        self.bucket_name: str = bucket.bucket_name
        self.log_group_name: str = log_group.name
        self.kms_key_arn: str = key.key_arn
