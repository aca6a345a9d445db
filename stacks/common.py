"""What every stack shares: Terraform and provider version pins, the AWS provider and the S3 backend."""

from __future__ import annotations

from typing import Any

from cdktf import DataTerraformRemoteStateS3, S3Backend, S3BackendAssumeRoleConfig, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderAssumeRole, AwsProviderDefaultTags
from constructs import Construct

from config import BackendConfig, EnvironmentConfig, ProjectConfig

REQUIRED_TERRAFORM_VERSION = ">= 1.11, < 2.0"
"""Write-only secret arguments (`secret_string_wo`) and ephemeral blocks need 1.11; S3 native locking 1.10."""

AWS_PROVIDER_VERSION = "~> 5.100.0"
"""The provider line the prebuilt bindings (cdktf-cdktf-provider-aws 20.1.0) were generated from."""

MANAGED_BY = "cdktf"


def pin_versions(stack: TerraformStack) -> None:
    """Declare the Terraform and provider versions so a hand-off to plain terraform resolves the same way."""
    stack.add_override("terraform.required_version", REQUIRED_TERRAFORM_VERSION)
    stack.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION)


def aws_provider(
    stack: TerraformStack,
    *,
    project: ProjectConfig,
    environment: str,
    region: str,
    account_id: str | None = None,
    role_arn: str | None = None,
    alias: str | None = None,
) -> AwsProvider:
    """The AWS provider with the project's default tags, optionally pinned to an account and a role (and aliased)."""
    return AwsProvider(
        stack,
        alias or "aws",
        alias=alias,
        region=region,
        allowed_account_ids=[account_id] if account_id else None,
        assume_role=[AwsProviderAssumeRole(role_arn=role_arn, session_name=f"{project.name}-{environment}")]
        if role_arn
        else None,
        default_tags=[
            AwsProviderDefaultTags(
                tags={
                    "Project": project.name,
                    "Environment": environment,
                    "ManagedBy": MANAGED_BY,
                    **project.tags,
                }
            )
        ],
    )


US_EAST_1 = "us-east-1"
"""The region of CloudFront's ACM certificates and CLOUDFRONT-scope WAF web ACLs."""

US_EAST_1_ALIAS = "us_east_1"
"""Provider alias of the us-east-1 AWS provider (`aws.us_east_1` in the JSON)."""


def us_east_1_provider(scope: Construct, *, project: ProjectConfig, environment: EnvironmentConfig) -> AwsProvider:
    """The stack's AWS provider aliased to us-east-1, created on first use: same account, role and default tags.

    One per stack (a layer's own stack when the state is split), so layers call this instead of passing it on.
    """
    stack = TerraformStack.of(scope)
    existing = stack.node.try_find_child(US_EAST_1_ALIAS)
    if isinstance(existing, AwsProvider):
        return existing
    return aws_provider(
        stack,
        project=project,
        environment=environment.name,
        region=US_EAST_1,
        account_id=environment.account_id,
        role_arn=environment.deploy_role_arn,
        alias=US_EAST_1_ALIAS,
    )


def state_key(project: ProjectConfig, environment: str, layer: str) -> str:
    """`{project}/{env}/{stack}.tfstate`: one object per stack in the shared bucket."""
    return f"{project.name}/{environment}/{layer}.tfstate"


def s3_backend(stack: TerraformStack, *, backend: BackendConfig, key: str) -> S3Backend:
    """The S3 backend, encrypted, locked by DynamoDB, by S3 native lockfile, or both (for migration).

    State (and the `.tflock` object of lockfile locking) is written with SSE-KMS under the backend's state key,
    named by its alias: `encrypt = true` alone would make Terraform send SSE-S3 (AES256) on every write,
    overriding the bucket's SSE-KMS default.
    """
    s3 = _S3Backend(
        stack,
        bucket=backend.bucket,
        key=key,
        region=backend.region,
        encrypt=True,
        kms_key_id=backend.state_kms_key_id,
        dynamodb_table=backend.lock_table if backend.uses_dynamodb else None,
        assume_role=S3BackendAssumeRoleConfig(role_arn=backend.role_arn) if backend.role_arn else None,
    )
    if backend.uses_lockfile:
        # cdktf 0.21's S3Backend predates use_lockfile (Terraform 1.10), so it is set on the JSON directly.
        stack.add_override("terraform.backend.s3.use_lockfile", True)
    return s3


class _S3Backend(S3Backend):
    """cdktf's S3 backend, whose `terraform_remote_state` readers (cross-stack references) carry only what a read
    needs: bucket, key, region and role. cdktf copies every backend setting into them, and Terraform warns that the
    lock table (`dynamodb_table`) is deprecated there; a read takes no lock, and SSE-KMS objects decrypt without
    naming the key.
    """

    def __init__(self, scope: Construct, **props: Any) -> None:
        super().__init__(scope, **props)
        self._read = {name: props[name] for name in ("bucket", "key", "region", "assume_role") if props.get(name)}

    def get_remote_state_data_source(self, scope: Construct, name: str, _from_stack: str) -> DataTerraformRemoteStateS3:
        return DataTerraformRemoteStateS3(scope, name, workspace="${terraform.workspace}", **self._read)
