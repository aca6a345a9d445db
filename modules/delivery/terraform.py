"""The Terraform roles GitHub Actions assumes to plan (read-only) and apply one environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from modules.delivery.oidc import github_trust_policy

PLAN_POLICIES = ("ReadOnlyAccess",)
"""Plan refreshes every resource type the stack manages: AWS's read-only policy covers them all."""

APPLY_POLICIES = ("PowerUserAccess", "IAMReadOnlyAccess")
"""Apply creates VPCs, databases, KMS keys, ECS, WAF, ...: every service but IAM and Organizations (PowerUser),
IAM read for refresh; IAM writes come from an inline statement limited to this environment's names."""

IAM_WRITE_ACTIONS = (
    "iam:AddRoleToInstanceProfile",
    "iam:AttachRolePolicy",
    "iam:CreateInstanceProfile",
    "iam:CreateRole",
    "iam:DeleteInstanceProfile",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "iam:UntagInstanceProfile",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
"""What the stack does to its own roles and instance profiles (all named `{project}-{env}-*`)."""


@dataclass(frozen=True)
class StateAccess:
    """This environment's part of the state backend: its keys, the lock table and the state CMK."""

    bucket: str
    key_prefix: str
    """`{project}/{env}/`: every state key of this environment starts with it (one per stack or layer)."""
    lock_table_arn: str | None
    """The DynamoDB lock table, None with S3 native locking only."""
    lockfile: bool
    """S3 native locking: the lock is a `<key>.tflock` object next to the state."""
    kms_key_arns: str
    """Key ARN pattern of the backend's account and region (`.../key/*`): narrowed by the alias condition."""
    kms_key_alias: str
    """The state CMK's alias (`alias/<bucket>-state`)."""
    partition: str
    other_key_prefixes: Sequence[str] = ()
    """Key prefixes of the project's other environments in the same bucket: denied outright, since the managed
    policies (ReadOnlyAccess, PowerUserAccess) would otherwise let this environment's roles read or write them."""
    assume_role_arns: Sequence[str] = ()
    """Roles the backend or the AWS provider assume (`backend.role_arn`, `deploy_role_arn`), when configured."""


class TerraformRoles(Construct):
    """`{name}-terraform-plan` (ReadOnlyAccess + read of this environment's state, taking its lock) and
    `{name}-terraform-apply` (PowerUserAccess + IAM writes on `{name}-*` + read/write of its state).

    Apply is broad because the stack creates resources of some twenty services; it is trusted for the deploy
    subjects only (put it behind a GitHub environment with required reviewers).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        provider_arn: str,
        plan_subjects: Sequence[str],
        apply_subjects: Sequence[str],
        state: StateAccess,
        account_id: str,
        region: str,
        kms_key_arn: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._tags = dict(tags or {})
        self._state = state
        iam = f"arn:{state.partition}:iam::{account_id}"
        secrets = f"arn:{state.partition}:secretsmanager:{region}:{account_id}"
        self.plan_role_arn = self._role(
            "plan",
            role_name=f"{name}-terraform-plan",
            provider_arn=provider_arn,
            subjects=plan_subjects,
            managed=PLAN_POLICIES,
            statements=[
                *self._state_statements(write=False),
                # ReadOnlyAccess reads no secret values, yet the stack reads the Redis AUTH token (a data source)
                # and refreshes secret versions and SecureString parameters: this environment's only
                DataAwsIamPolicyDocumentStatement(
                    sid="EnvironmentSecrets",
                    actions=["secretsmanager:GetSecretValue"],
                    # application secrets `{name}/<key>` and the Redis token; ARNs end in a 6-character suffix
                    resources=[
                        f"{secrets}:secret:{name}/*",
                        f"{secrets}:secret:{name}-redis-auth-token-??????",
                    ],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="EnvironmentKey", actions=["kms:Decrypt"], resources=[kms_key_arn]
                ),
            ],
        )
        self.apply_role_arn = self._role(
            "apply",
            role_name=f"{name}-terraform-apply",
            provider_arn=provider_arn,
            subjects=apply_subjects,
            managed=APPLY_POLICIES,
            statements=[
                *self._state_statements(write=True),
                DataAwsIamPolicyDocumentStatement(
                    sid="OwnRoles",
                    actions=list(IAM_WRITE_ACTIONS),
                    resources=[f"{iam}:role/{name}-*", f"{iam}:instance-profile/{name}-*"],
                ),
            ],
        )

    def _role(
        self,
        id_: str,
        *,
        role_name: str,
        provider_arn: str,
        subjects: Sequence[str],
        managed: Sequence[str],
        statements: list[DataAwsIamPolicyDocumentStatement],
    ) -> str:
        role = IamRole(
            self,
            id_,
            name=role_name,
            description=f"GitHub Actions: terraform {id_} of this environment",
            assume_role_policy=github_trust_policy(self, f"{id_}_trust", provider_arn=provider_arn, subjects=subjects),
            tags=self._tags,
        )
        for policy in managed:
            IamRolePolicyAttachment(
                self,
                f"{id_}_{policy}",
                role=role.name,
                policy_arn=f"arn:{self._state.partition}:iam::aws:policy/{policy}",
            )
        document = DataAwsIamPolicyDocument(self, f"{id_}_policy", statement=statements)
        IamRolePolicy(self, f"{id_}_permissions", name=f"terraform-{id_}", role=role.name, policy=document.json)
        arn: str = role.arn
        return arn

    def _state_statements(self, *, write: bool) -> list[DataAwsIamPolicyDocumentStatement]:
        statement = DataAwsIamPolicyDocumentStatement
        condition = DataAwsIamPolicyDocumentStatementCondition
        s = self._state
        bucket_arn = f"arn:{s.partition}:s3:::{s.bucket}"
        keys = f"{bucket_arn}/{s.key_prefix}*"
        statements = [
            statement(
                sid="StateList",
                actions=["s3:ListBucket"],
                resources=[bucket_arn],
                condition=[condition(test="StringLike", variable="s3:prefix", values=[f"{s.key_prefix}*"])],
            ),
            statement(
                sid="StateObjects",
                actions=["s3:GetObject", "s3:PutObject"] if write else ["s3:GetObject"],
                resources=[keys],
            ),
            statement(
                sid="StateKey",
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
                if write or s.lockfile
                else ["kms:Decrypt"],
                # Decrypt names no alias in the request: the key is matched by its alias (ABAC) instead of its id,
                # which the environment does not know (the bootstrap stack created it).
                resources=[s.kms_key_arns],
                condition=[
                    condition(test="ForAnyValue:StringEquals", variable="kms:ResourceAliases", values=[s.kms_key_alias])
                ],
            ),
        ]
        if s.lockfile:
            # plan takes the lock too: it writes and deletes `<key>.tflock` next to the state
            statements.append(
                statement(
                    sid="StateLockFile",
                    actions=["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                    resources=[f"{keys}.tflock"],
                )
            )
        if s.lock_table_arn is not None:
            statements.append(
                statement(
                    sid="StateLockTable",
                    actions=["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                    resources=[s.lock_table_arn],
                    # lock ids are `<bucket>/<key>` (and `<bucket>/<key>-md5`): only this environment's keys
                    condition=[
                        condition(
                            test="ForAllValues:StringLike",
                            variable="dynamodb:LeadingKeys",
                            values=[f"{s.bucket}/{s.key_prefix}*"],
                        )
                    ],
                )
            )
        if s.other_key_prefixes:
            statements.append(
                statement(
                    sid="OtherEnvironmentsState",
                    effect="Deny",
                    actions=["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                    resources=[f"{bucket_arn}/{prefix}*" for prefix in s.other_key_prefixes],
                )
            )
            if s.lock_table_arn is not None:
                statements.append(
                    statement(
                        sid="OtherEnvironmentsLocks",
                        effect="Deny",
                        actions=["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                        resources=[s.lock_table_arn],
                        condition=[
                            condition(
                                test="ForAnyValue:StringLike",
                                variable="dynamodb:LeadingKeys",
                                values=[f"{s.bucket}/{prefix}*" for prefix in s.other_key_prefixes],
                            )
                        ],
                    )
                )
        if s.assume_role_arns:
            statements.append(
                statement(sid="AssumeConfiguredRoles", actions=["sts:AssumeRole"], resources=list(s.assume_role_arns))
            )
        return statements
