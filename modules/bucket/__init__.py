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
    source_arn: str | None = None
    """Only when the request is made on behalf of this resource (`AWS:SourceArn`), e.g. one CloudFront distribution."""
    conditions: tuple[DataAwsIamPolicyDocumentStatementCondition, ...] = ()
    """Conditions of the grant, e.g. aws:SourceArn of the one resource the service may write for."""
    on_bucket: bool = False
    """Grant on the bucket itself (e.g. s3:GetBucketAcl) instead of the objects under `key_prefix`."""


class PrivateBucket(Construct):
    """An S3 bucket only this account (and explicit grants) can use.

    Object ownership enforced (no ACLs) unless `object_ownership` says otherwise, every public-access block on,
    versioning on (unless `versioning=False`), default encryption with
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
        versioning: bool = True,
        object_ownership: str = "BucketOwnerEnforced",
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
        self.ownership: ITerraformDependable = S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            # BucketOwnerPreferred only where a delivery service still writes through ACLs (CloudFront standard logs)
            rule=S3BucketOwnershipControlsRule(object_ownership=object_ownership),
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
        self.versioning: ITerraformDependable | None = None
        """The versioning resource (Object Lock waits for it); None when versioning is off."""
        if versioning:
            # Without this resource a new bucket stays unversioned; removing it later suspends versioning.
            self.versioning = S3BucketVersioningA(
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
        self.bucket_arn = bucket.arn
        statements = [self._grant_statement(grant) for grant in grants]
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
        self._statements = statements
        self._document = DataAwsIamPolicyDocument(self, "policy_document", statement=statements)
        policy = S3BucketPolicy(
            self, "policy", bucket=bucket.id, policy=self._document.json, depends_on=[public_access]
        )
        self.bucket_id = bucket.id
        self.bucket_name = bucket.bucket
        self.bucket_domain_name = bucket.bucket_domain_name
        self.bucket_regional_domain_name = bucket.bucket_regional_domain_name
        self.ready: ITerraformDependable = policy
        """The bucket policy: wait for it before a service starts delivering into the bucket."""

    def add_grant(self, grant: BucketGrant) -> None:
        """Add a grant to the bucket policy after construction, for a grantee that needs the bucket first (a
        CloudFront distribution whose origin is this bucket and whose ARN the grant is scoped to)."""
        self._statements.insert(0, self._grant_statement(grant))
        self._document.put_statement(self._statements)

    def _grant_statement(self, grant: BucketGrant) -> DataAwsIamPolicyDocumentStatement:
        return DataAwsIamPolicyDocumentStatement(
            sid=grant.sid,
            actions=list(grant.actions),
            resources=[self.bucket_arn if grant.on_bucket else f"{self.bucket_arn}/{grant.key_prefix}*"],
            principals=[
                DataAwsIamPolicyDocumentStatementPrincipals(type=grant.principal_type, identifiers=[grant.principal])
            ],
            condition=[
                *(
                    [
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringEquals", variable="AWS:SourceArn", values=[grant.source_arn]
                        )
                    ]
                    if grant.source_arn
                    else []
                ),
                *grant.conditions,
            ]
            or None,
        )
