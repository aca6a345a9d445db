"""The GitHub OIDC roles: exact trust, and least privilege in the synthesized policies."""

from __future__ import annotations

from typing import Any

from cdktf import TerraformStack, Testing

from modules.delivery import DeployRole, DeployTargets, GithubOidcProvider, github_oidc_provider_arn
from tests.conftest import Json, resources, synth_json

ALLOWED_ANY_RESOURCE = {
    "EcrLogin": "ecr:GetAuthorizationToken has no resource type (one token per registry)",
    "EcsTaskDefinitions": "ecs:RegisterTaskDefinition and DescribeTaskDefinition have no resource type",
}
"""The only statements AWS requires `"*"` resources for, and why."""

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def targets(**changes: Any) -> DeployTargets:
    base: dict[str, Any] = {
        "account_id": "123456789012",
        "partition": "aws",
        "region": "ap-northeast-1",
        "repository_arns": ["arn:aws:ecr:ap-northeast-1:123456789012:repository/acme-dev-api"],
        "service_arns": ["arn:aws:ecs:ap-northeast-1:123456789012:service/acme-dev/acme-dev-api"],
        "task_definition_families": ["acme-dev-api"],
        "passed_role_arns": ["arn:aws:iam::123456789012:role/acme-dev-api-task"],
    }
    return DeployTargets(**{**base, **changes})


def deploy_json(
    deploy_targets: DeployTargets, subjects: tuple[str, ...] = ("repo:acme/app:ref:refs/heads/main",)
) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    DeployRole(stack, "deploy", name="acme-dev", provider_arn=PROVIDER, subjects=subjects, targets=deploy_targets)
    return synth_json(stack)


def statements(document: Json, suffix: str) -> dict[str, Json]:
    (policy,) = [p for key, p in document["data"]["aws_iam_policy_document"].items() if key.startswith(suffix)]
    return {statement["sid"]: statement for statement in policy["statement"]}


def test_trust_is_exactly_the_configured_subject_and_audience() -> None:
    document = deploy_json(targets())
    (trust,) = statements(document, "deploy_trust").values()
    assert trust["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert trust["principals"] == [{"type": "Federated", "identifiers": [PROVIDER]}]
    assert {c["variable"]: (c["test"], c["values"]) for c in trust["condition"]} == {
        "token.actions.githubusercontent.com:aud": ("StringEquals", ["sts.amazonaws.com"]),
        "token.actions.githubusercontent.com:sub": ("StringEquals", ["repo:acme/app:ref:refs/heads/main"]),
    }


def test_deploy_policy_has_no_wildcard_actions_and_star_only_where_aws_needs_it() -> None:
    found = statements(
        deploy_json(
            targets(
                codedeploy_deployment_group_arns=["arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentgroup:a/g"],
                codedeploy_application_arn="arn:aws:codedeploy:ap-northeast-1:123456789012:application:a",
                codedeploy_config_arns=["arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentconfig:c"],
                spa_bucket_arn="arn:aws:s3:::acme-dev-spa",
                spa_kms_key_arn="arn:aws:kms:ap-northeast-1:123456789012:key/k",
                distribution_arn="arn:aws:cloudfront::123456789012:distribution/E1",
            )
        ),
        "deploy_policy",
    )
    for sid, statement in found.items():
        assert all("*" not in action for action in statement["actions"]), sid
        if "*" in statement["resources"]:
            assert sid in ALLOWED_ANY_RESOURCE and statement["resources"] == ["*"], sid
    assert found["PassTaskRoles"]["condition"] == [
        {"test": "StringEquals", "variable": "iam:PassedToService", "values": ["ecs-tasks.amazonaws.com"]}
    ]
    assert found["SpaSync"]["resources"] == ["arn:aws:s3:::acme-dev-spa/*"]
    assert found["SpaInvalidation"]["resources"] == ["arn:aws:cloudfront::123456789012:distribution/E1"]
    assert found["CodeDeployDeployments"]["actions"] == [
        "codedeploy:CreateDeployment",
        "codedeploy:GetDeployment",
        "codedeploy:GetDeploymentGroup",
    ]
    assert found["EcsServices"]["actions"] == ["ecs:DescribeServices", "ecs:UpdateService"]


def test_spa_codedeploy_and_empty_targets_leave_their_statements_out() -> None:
    found = statements(deploy_json(targets(passed_role_arns=[])), "deploy_policy")
    assert set(found) == {"EcrLogin", "EcrPush", "EcsTaskDefinitions", "EcsTagOnRegister", "EcsServices"}
    with_spa = statements(deploy_json(targets(spa_bucket_arn="arn:aws:s3:::b")), "deploy_policy")
    assert {"SpaList", "SpaSync"} <= set(with_spa) and "SpaEncryption" not in with_spa
    assert "SpaInvalidation" not in with_spa


def test_oidc_provider_is_github_for_sts_without_thumbprints() -> None:
    stack = TerraformStack(Testing.app(), "test")
    GithubOidcProvider(stack, "github")
    (provider,) = resources(synth_json(stack), "aws_iam_openid_connect_provider").values()
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    assert "thumbprint_list" not in provider
    assert github_oidc_provider_arn(partition="aws", account_id="1") == (
        "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"
    )
