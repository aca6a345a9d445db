"""IAM pieces several modules share."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from constructs import Construct


def service_trust_policy(
    scope: Construct, id_: str, *, service: str, conditions: Sequence[DataAwsIamPolicyDocumentStatementCondition] = ()
) -> str:
    """JSON of a trust policy that lets one AWS service principal (e.g. `ecs-tasks.amazonaws.com`) assume a role."""
    document = DataAwsIamPolicyDocument(
        scope,
        id_,
        statement=[
            DataAwsIamPolicyDocumentStatement(
                actions=["sts:AssumeRole"],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=[service])],
                condition=list(conditions) or None,
            )
        ],
    )
    return str(document.json)
