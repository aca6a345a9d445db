"""The state backend itself: the S3 state bucket and DynamoDB lock table, kept in local state."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf import LocalBackend, TerraformOutput, TerraformResourceLifecycle, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
)
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from constructs import Construct

from config import BackendConfig, ProjectConfig
from modules.bucket import PrivateBucket
from modules.delivery import GithubOidcProvider
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
        github_oidc: bool = False,
    ) -> None:
        super().__init__(scope, id_)
        pin_versions(self)
        LocalBackend(self, path=state_file)
        aws_provider(
            self,
            project=project,
            environment="shared",
            region=backend.region,
            account_id=backend.state_account_id,
            role_arn=backend.role_arn,
        )
        protect = TerraformResourceLifecycle(prevent_destroy=True)

        identity = DataAwsCallerIdentity(self, "caller")
        partition = DataAwsPartition(self, "partition")
        key = EncryptionKey(
            self,
            "kms",
            alias=backend.state_key_alias.removeprefix("alias/"),
            description=f"Terraform state of {project.name} ({', '.join(environments)})",
            account_id=identity.account_id,
            partition=partition.partition,
            region=backend.region,
        )

        bucket = PrivateBucket(
            self,
            "state",
            bucket_name=backend.bucket,
            kms_key_arn=key.key_arn,
            protect=True,
            lifecycle_rules=[
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
        TerraformOutput(
            self, "state_bucket_name", value=bucket.bucket_name, description="S3 bucket holding Terraform state"
        )
        TerraformOutput(self, "kms_key_arn", value=key.key_arn, description="CMK encrypting state and locks")
        TerraformOutput(
            self,
            "kms_key_alias",
            value=backend.state_key_alias,
            description="Alias of that CMK; the environments' S3 backend writes state with it (kms_key_id)",
        )

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

        if github_oidc:
            # one per account: the environments of this backend that use delivery trust it by its fixed ARN
            provider = GithubOidcProvider(self, "github_oidc")
            TerraformOutput(
                self,
                "github_oidc_provider_arn",
                value=provider.arn,
                description="GitHub Actions OIDC provider of this account (the deploy and Terraform roles trust it)",
            )
