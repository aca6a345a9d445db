"""Customer-managed KMS key with rotation, usable by CloudWatch Logs and by AWS services on the account's behalf."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from modules.protection import stateful


class EncryptionKey(Construct):
    """A symmetric CMK with yearly rotation and an alias.

    The key policy delegates to IAM in the owning account (the standard root statement), so services such as
    RDS, ElastiCache, Secrets Manager and S3 use it through the calling principal's IAM permissions, and lets
    CloudWatch Logs in this region encrypt log groups of this account only (every log group of the account and
    region: the VPC flow logs, ECS, WAF, and the RDS and ElastiCache log groups under /aws/rds/ and
    /aws/elasticache/).

    The key must outlive the data it encrypts: snapshots (final ones included) and backups are unreadable once
    the key is deleted. With `protected` the key carries `prevent_destroy`, so no plan can schedule its deletion;
    a deliberate teardown removes the key from the state instead (`terraform state rm` of the key and its alias)
    so it stays in the account, enabled, for as long as snapshots need it. Deletion, when it happens, waits
    `deletion_window_days` (30, the maximum), during which `aws kms cancel-key-deletion` restores the key.

    `service_statements` add what a dedicated key's users need (e.g. CloudWatch alarms publishing to an encrypted
    topic, CloudTrail writing log files), each scoped by its own conditions.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        alias: str,
        description: str,
        account_id: str,
        partition: str,
        region: str,
        deletion_window_days: int = 30,
        protected: bool = False,
        tags: Mapping[str, str] | None = None,
        service_statements: Sequence[DataAwsIamPolicyDocumentStatement] = (),
    ) -> None:
        super().__init__(scope, id_)
        policy = DataAwsIamPolicyDocument(
            self,
            "policy",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="AccountAdministration",
                    actions=["kms:*"],
                    resources=["*"],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(
                            type="AWS", identifiers=[f"arn:{partition}:iam::{account_id}:root"]
                        )
                    ],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudWatchLogsOfThisAccount",
                    actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    resources=["*"],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(
                            type="Service", identifiers=[f"logs.{region}.amazonaws.com"]
                        )
                    ],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="ArnLike",
                            variable="kms:EncryptionContext:aws:logs:arn",
                            values=[f"arn:{partition}:logs:{region}:{account_id}:log-group:*"],
                        )
                    ],
                ),
                *service_statements,
            ],
        )
        key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy.json,
            lifecycle=stateful(protected=protected),
            tags=dict(tags or {}),
        )
        KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=key.key_id)
        self.key_arn = key.arn
        self.key_id = key.key_id
