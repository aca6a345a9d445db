"""The GitHub Actions OIDC provider (one per account) and the trust policy of a role GitHub Actions assumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from constructs import Construct

from config.delivery import GITHUB_AUDIENCE, GITHUB_OIDC_HOST


def github_oidc_provider_arn(*, partition: str, account_id: str) -> str:
    """The provider's ARN, fixed by IAM (`oidc-provider/<host>`), so environments need no lookup of it."""
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


class GithubOidcProvider(Construct):
    """IAM's OIDC provider for GitHub Actions tokens, audience sts.amazonaws.com.

    IAM allows one provider per issuer URL and account, so exactly one stack per account owns it (the bootstrap
    stack of the backend in that account). No thumbprint: since 2023 IAM verifies GitHub's certificate through
    its own trusted CAs, and provider 5.x makes `thumbprint_list` optional.
    """

    def __init__(self, scope: Construct, id_: str, *, tags: Mapping[str, str] | None = None) -> None:
        super().__init__(scope, id_)
        provider = IamOpenidConnectProvider(
            self,
            "this",
            url=f"https://{GITHUB_OIDC_HOST}",
            client_id_list=[GITHUB_AUDIENCE],
            tags=dict(tags or {}),
        )
        self.arn = provider.arn


def github_trust_policy(scope: Construct, id_: str, *, provider_arn: str, subjects: Sequence[str]) -> str:
    """JSON of a trust policy admitting GitHub Actions tokens of exactly `subjects` (no wildcards) for STS."""
    document = DataAwsIamPolicyDocument(
        scope,
        id_,
        statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="GithubActions",
                actions=["sts:AssumeRoleWithWebIdentity"],
                principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Federated", identifiers=[provider_arn])],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:aud", values=[GITHUB_AUDIENCE]
                    ),
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals", variable=f"{GITHUB_OIDC_HOST}:sub", values=list(subjects)
                    ),
                ],
            )
        ],
    )
    return str(document.json)
