"""Application storage: data buckets with CORS and lifecycle, and SQS queues with their dead-letter queues."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import Fn
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.s3_bucket_cors_configuration import (
    S3BucketCorsConfiguration,
    S3BucketCorsConfigurationCorsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
from cdktf_cdktf_provider_aws.sqs_queue_policy import SqsQueuePolicy
from cdktf_cdktf_provider_aws.sqs_queue_redrive_allow_policy import SqsQueueRedriveAllowPolicy
from constructs import Construct

from config.storage import BucketConfig, LifecycleConfig, QueueConfig, queue_name
from modules.bucket import PrivateBucket

CORS_EXPOSED_HEADERS = ("ETag",)
"""Response headers a browser script may read: the ETag (multipart uploads need it to complete)."""

KMS_DATA_KEY_REUSE_SECONDS = 300
"""How long SQS reuses a data key before asking KMS again (the default; bounds KMS calls and cost)."""


def lifecycle_rule(config: LifecycleConfig) -> S3BucketLifecycleConfigurationRule:
    """One rule for every object: Standard-IA, then expiry, of current versions; noncurrent and upload cleanup."""
    ia, expire, noncurrent = (
        config.infrequent_access_after_days,
        config.expire_after_days,
        config.noncurrent_expire_after_days,
    )
    return S3BucketLifecycleConfigurationRule(
        id="objects",
        status="Enabled",
        filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
        transition=(
            [S3BucketLifecycleConfigurationRuleTransition(days=ia, storage_class="STANDARD_IA")]
            if ia is not None
            else None
        ),
        expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expire)] if expire is not None else None,
        noncurrent_version_expiration=(
            [S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=noncurrent)]
            if noncurrent is not None
            else None
        ),
        abort_incomplete_multipart_upload=[
            S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                days_after_initiation=config.abort_incomplete_upload_days
            )
        ],
    )


class AppBucket(Construct):
    """An application data bucket (seed 003 user resources, seed 004 static assets).

    The shared PrivateBucket hardening (SSE-KMS with the CMK and a bucket key, versioning, public access blocked,
    TLS-only policy, KMS-only uploads), one lifecycle rule, CORS for the given origins only, and `prevent_destroy`
    when `protect` (prod). Access is granted to roles by identity policies, not by the bucket policy.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_name: str,
        config: BucketConfig,
        kms_key_arn: str,
        protect: bool,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        bucket = PrivateBucket(
            self,
            "bucket",
            bucket_name=bucket_name,
            kms_key_arn=kms_key_arn,
            lifecycle_rules=[lifecycle_rule(config.lifecycle)],
            protect=protect,
            tags=tags,
        )
        if config.cors_origins:
            S3BucketCorsConfiguration(
                self,
                "cors",
                bucket=bucket.bucket_id,
                cors_rule=[
                    S3BucketCorsConfigurationCorsRule(
                        allowed_origins=list(config.cors_origins),
                        allowed_methods=list(config.cors_methods),
                        allowed_headers=["*"],
                        expose_headers=list(CORS_EXPOSED_HEADERS),
                        max_age_seconds=config.cors_max_age_seconds,
                    )
                ],
            )
        self.bucket_name: str = bucket.bucket_name
        self.bucket_arn: str = bucket.bucket_arn


def tls_only_policy(scope: Construct, ident: str, queue_arn: str) -> str:
    """A queue policy that only refuses requests without TLS (the SQS best practice "enforce encryption of data
    in transit").

    A Deny for everyone when `aws:SecureTransport` is false: callers over HTTPS (every AWS SDK and the CLI by
    default) are unaffected, and the queue's users are still authorized by their own IAM policies.
    """
    document = DataAwsIamPolicyDocument(
        scope,
        f"{ident}_tls_only",
        statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="DenyInsecureTransport",
                effect="Deny",
                actions=["sqs:*"],
                resources=[queue_arn],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="Bool", variable="aws:SecureTransport", values=["false"]
                    )
                ],
            )
        ],
    )
    policy: str = document.json
    return policy


class Queue(Construct):
    """An SQS queue and its dead-letter queue, both SSE-KMS with the CMK.

    The queue's redrive policy moves a message to the dead-letter queue after `max_receive_count` receives; the
    dead-letter queue's redrive-allow policy accepts moved messages from this queue only. Each of the two has a
    queue policy with a single statement that denies every SQS action over plain HTTP (`aws:SecureTransport`
    false); it grants nothing, so the roles that use the queue keep exactly their identity-policy grants.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        key: str,
        config: QueueConfig,
        kms_key_arn: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        fifo = True if config.fifo else None
        dead_letter_name = queue_name(name, key, fifo=config.fifo, dead_letter=True)
        dead_letter = SqsQueue(
            self,
            "dead_letter",
            name=dead_letter_name,
            message_retention_seconds=config.dead_letter_retention_seconds,
            tags={"Name": dead_letter_name, **tags},
            fifo_queue=fifo,
            kms_master_key_id=kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
        )
        queue_name_ = queue_name(name, key, fifo=config.fifo)
        queue = SqsQueue(
            self,
            "queue",
            name=queue_name_,
            visibility_timeout_seconds=config.visibility_timeout_seconds,
            message_retention_seconds=config.message_retention_seconds,
            receive_wait_time_seconds=config.receive_wait_time_seconds,
            redrive_policy=Fn.jsonencode(
                {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": config.max_receive_count}
            ),
            tags={"Name": queue_name_, **tags},
            fifo_queue=fifo,
            kms_master_key_id=kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
        )
        SqsQueueRedriveAllowPolicy(
            self,
            "dead_letter_allow",
            queue_url=dead_letter.url,
            redrive_allow_policy=Fn.jsonencode({"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}),
        )
        for ident, each in (("queue", queue), ("dead_letter", dead_letter)):
            SqsQueuePolicy(self, f"{ident}_policy", queue_url=each.url, policy=tls_only_policy(self, ident, each.arn))
        self.queue_url: str = queue.url
        self.queue_arn: str = queue.arn
        self.dead_letter_queue_url: str = dead_letter.url
        self.dead_letter_queue_arn: str = dead_letter.arn
