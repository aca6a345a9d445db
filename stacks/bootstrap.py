"""The state backend itself: the S3 state bucket and DynamoDB lock table, kept in local state."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import LocalBackend, TerraformOutput, TerraformResourceLifecycle, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
)
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA, S3BucketVersioningVersioningConfiguration
from constructs import Construct

from config import BackendConfig, ProjectConfig
from modules.kms import EncryptionKey
from stacks.common import aws_provider, pin_versions

NONCURRENT_STATE_VERSIONS_DAYS = 90
"""How long superseded state versions are kept: long enough to roll back a bad apply, short enough to stay cheap."""


class BootstrapStack(TerraformStack):
    """Creates one backend (bucket + lock table) that the environment stacks then store their state in.

    It cannot store its own state in the bucket it creates, so it uses a local state file outside cdktf.out
    (the README shows how to migrate it into the bucket once it exists). Bucket and table refuse `destroy`.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        project: ProjectConfig,
        backend: BackendConfig,
        environments: Sequence[str],
        state_file: str,
    ) -> None:
        super().__init__(scope, id_)
        pin_versions(self)
        LocalBackend(self, path=state_file)
        aws_provider(self, project=project, environment="shared", region=backend.region, role_arn=backend.role_arn)
        protect = TerraformResourceLifecycle(prevent_destroy=True)

        identity = DataAwsCallerIdentity(self, "caller")
        partition = DataAwsPartition(self, "partition")
        key = EncryptionKey(
            self,
            "kms",
            alias=f"{backend.bucket}-state",
            description=f"Terraform state of {project.name} ({', '.join(environments)})",
            account_id=identity.account_id,
            partition=partition.partition,
            region=backend.region,
        )

        bucket = S3Bucket(self, "state_bucket", bucket=backend.bucket, force_destroy=False, lifecycle=protect)
        S3BucketOwnershipControls(
            self,
            "state_ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketPublicAccessBlock(
            self,
            "state_public_access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketVersioningA(
            self,
            "state_versioning",
            bucket=bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "state_encryption",
            bucket=bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    bucket_key_enabled=True,
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="aws:kms", kms_master_key_id=key.key_arn
                        )
                    ),
                )
            ],
        )
        S3BucketLifecycleConfiguration(
            self,
            "state_lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-noncurrent-state",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=NONCURRENT_STATE_VERSIONS_DAYS
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                ),
            ],
        )
        tls_only = DataAwsIamPolicyDocument(
            self,
            "state_tls_only",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=["s3:*"],
                    resources=[bucket.arn, f"{bucket.arn}/*"],
                    principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="Bool", variable="aws:SecureTransport", values=["false"]
                        )
                    ],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyOutdatedTls",
                    effect="Deny",
                    actions=["s3:*"],
                    resources=[bucket.arn, f"{bucket.arn}/*"],
                    principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="NumericLessThan", variable="s3:TlsVersion", values=["1.2"]
                        )
                    ],
                ),
            ],
        )
        S3BucketPolicy(self, "state_policy", bucket=bucket.id, policy=tls_only.json)
        TerraformOutput(self, "state_bucket_name", value=bucket.bucket, description="S3 bucket holding Terraform state")
        TerraformOutput(self, "kms_key_arn", value=key.key_arn, description="CMK encrypting state and locks")

        if backend.uses_dynamodb:
            table = DynamodbTable(
                self,
                "lock_table",
                name=backend.lock_table,
                billing_mode="PAY_PER_REQUEST",
                hash_key="LockID",
                attribute=[DynamodbTableAttribute(name="LockID", type="S")],
                point_in_time_recovery=DynamodbTablePointInTimeRecovery(enabled=True),
                server_side_encryption=DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=key.key_arn),
                deletion_protection_enabled=True,
                lifecycle=protect,
            )
            TerraformOutput(self, "lock_table_name", value=table.name, description="DynamoDB table holding state locks")
