"""A private S3 bucket with the hardening every bucket of the platform shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
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


@dataclass(frozen=True)
class BucketGrant:
    """Write access for an AWS service or account to one key prefix, e.g. ELB access-log delivery."""

    sid: str
    principal_type: str
    principal: str
    actions: tuple[str, ...]
    key_prefix: str
    conditions: tuple[DataAwsIamPolicyDocumentStatementCondition, ...] = ()
    """Conditions of the grant, e.g. aws:SourceArn of the one resource the service may write for."""
    on_bucket: bool = False
    """Grant on the bucket itself (e.g. s3:GetBucketAcl) instead of the objects under `key_prefix`."""


class PrivateBucket(Construct):
    """An S3 bucket only this account (and explicit grants) can use.

    Object ownership enforced (no ACLs), every public-access block on, versioning on, default encryption with
    the given KMS key (bucket key on) or SSE-S3 when `kms_key_arn` is None (for services such as ALB log delivery
    that cannot use KMS), and a policy that denies plain HTTP and TLS older than 1.2. A KMS bucket's policy also
    denies uploads that ask for any other encryption (e.g. SSE-S3, which a request header would otherwise force
    over the default); uploads without the header (multipart parts included) get the KMS default.
    `versioning` is the versioning resource, for what needs versioning on first (e.g. Object Lock).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_name: str,
        kms_key_arn: str | None,
        lifecycle_rules: Sequence[S3BucketLifecycleConfigurationRule] = (),
        grants: Sequence[BucketGrant] = (),
        force_destroy: bool = False,
        protect: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        bucket = S3Bucket(
            self,
            "bucket",
            bucket=bucket_name,
            force_destroy=force_destroy,
            tags=dict(tags or {}),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
        )
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        public_access = S3BucketPublicAccessBlock(
            self,
            "public_access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        versioning = S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
            sse_algorithm="aws:kms" if kms_key_arn else "AES256", kms_master_key_id=kms_key_arn
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=default, bucket_key_enabled=True if kms_key_arn else None
                )
            ],
        )
        if lifecycle_rules:
            S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket.id, rule=list(lifecycle_rules))

        everyone = [DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])]
        everything = [bucket.arn, f"{bucket.arn}/*"]
        statements = [
            DataAwsIamPolicyDocumentStatement(
                sid=grant.sid,
                actions=list(grant.actions),
                resources=[bucket.arn if grant.on_bucket else f"{bucket.arn}/{grant.key_prefix}*"],
                principals=[
                    DataAwsIamPolicyDocumentStatementPrincipals(
                        type=grant.principal_type, identifiers=[grant.principal]
                    )
                ],
                condition=list(grant.conditions) or None,
            )
            for grant in grants
        ]
        statements += [
            DataAwsIamPolicyDocumentStatement(
                sid="DenyInsecureTransport",
                effect="Deny",
                actions=["s3:*"],
                resources=everything,
                principals=everyone,
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
                resources=everything,
                principals=everyone,
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="NumericLessThan", variable="s3:TlsVersion", values=["1.2"]
                    )
                ],
            ),
        ]
        if kms_key_arn:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyNonKmsUploads",
                    effect="Deny",
                    actions=["s3:PutObject"],
                    resources=[f"{bucket.arn}/*"],
                    principals=everyone,
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringNotEqualsIfExists",
                            variable="s3:x-amz-server-side-encryption",
                            values=["aws:kms"],
                        )
                    ],
                )
            )
        document = DataAwsIamPolicyDocument(self, "policy_document", statement=statements)
        policy = S3BucketPolicy(self, "policy", bucket=bucket.id, policy=document.json, depends_on=[public_access])
        self.bucket_id = bucket.id
        self.bucket_arn = bucket.arn
        self.bucket_name = bucket.bucket
        self.versioning: ITerraformDependable = versioning
        self.ready: ITerraformDependable = policy
        """The bucket policy: wait for it before a service starts delivering into the bucket."""
