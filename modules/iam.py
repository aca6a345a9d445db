"""IAM pieces several modules share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from constructs import Construct


def service_trust_policy(
    scope: Construct, id_: str, *, service: str, account_id: str, source_arn: str | None = None
) -> str:
    """JSON of a trust policy that lets one AWS service principal (e.g. `ecs-tasks.amazonaws.com`) assume a role.

    Confused-deputy guard: the service may assume the role only when it acts for `account_id`
    (`aws:SourceAccount`) and, when given, for a resource matching `source_arn` (`aws:SourceArn`, ArnLike, so
    it may end in `*`). Use the source ARN form the service documents; where a service does not document one,
    `aws:SourceAccount` alone is the documented guard.
    """
    conditions = [
        DataAwsIamPolicyDocumentStatementCondition(
            test="StringEquals", variable="aws:SourceAccount", values=[account_id]
        )
    ]
    if source_arn is not None:
        conditions.append(
            DataAwsIamPolicyDocumentStatementCondition(test="ArnLike", variable="aws:SourceArn", values=[source_arn])
        )
    document = DataAwsIamPolicyDocument(
        scope,
        id_,
        statement=[
            DataAwsIamPolicyDocumentStatement(
                actions=["sts:AssumeRole"],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[service])],
                condition=conditions,
            )
        ],
    )
    return str(document.json)


@dataclass(frozen=True)
class PolicyGrant:
    """One Allow statement of an identity policy, planned outside construct code (e.g. bucket or queue access)."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    """(test, variable, values) triples, e.g. ("StringEquals", "kms:ViaService", ("s3.<region>.amazonaws.com",))."""

    def statement(self) -> DataAwsIamPolicyDocumentStatement:
        """The grant as the provider's policy-document statement."""
        return DataAwsIamPolicyDocumentStatement(
            sid=self.sid,
            actions=list(self.actions),
            resources=list(self.resources),
            condition=[
                DataAwsIamPolicyDocumentStatementCondition(test=test, variable=variable, values=list(values))
                for test, variable, values in self.conditions
            ]
            or None,
        )


def secret_read_statements(
    *, secret_arns: Sequence[str], parameter_arns: Sequence[str], kms_key_arn: str, region: str
) -> list[DataAwsIamPolicyDocumentStatement]:
    """What an execution role needs to inject container secrets: read exactly these secrets and parameters, and
    decrypt with the CMK that encrypts them only when Secrets Manager or SSM asks on its behalf (none without any)."""
    statements = []
    if secret_arns:
        statements.append(
            DataAwsIamPolicyDocumentStatement(
                sid="ReadSecrets", actions=["secretsmanager:GetSecretValue"], resources=list(secret_arns)
            )
        )
    if parameter_arns:
        statements.append(
            DataAwsIamPolicyDocumentStatement(
                sid="ReadParameters", actions=["ssm:GetParameters"], resources=list(parameter_arns)
            )
        )
    if statements:
        statements.append(
            DataAwsIamPolicyDocumentStatement(
                sid="DecryptSecrets",
                actions=["kms:Decrypt"],
                resources=[kms_key_arn],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals",
                        variable="kms:ViaService",
                        values=[f"secretsmanager.{region}.amazonaws.com", f"ssm.{region}.amazonaws.com"],
                    )
                ],
            )
        )
    return statements
