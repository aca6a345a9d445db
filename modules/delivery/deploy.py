"""The deploy role GitHub Actions assumes to ship one environment: images, task definitions, services, the SPA."""

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
from constructs import Construct

from modules.delivery.oidc import github_trust_policy

ANY_RESOURCE = "*"
"""Only for actions that have no resource type in the Service Authorization Reference (each use says which)."""


@dataclass(frozen=True)
class DeployTargets:
    """Everything one environment's deploy may touch, as ARNs and names (Terraform references)."""

    account_id: str
    partition: str
    region: str
    repository_arns: Sequence[str]
    """ECR repositories it pushes images to."""
    service_arns: Sequence[str]
    """ECS services it updates to a new task definition."""
    task_definition_families: Sequence[str]
    """Families it registers task definitions in (tagging at registration is scoped to them)."""
    passed_role_arns: Sequence[str]
    """Task and execution roles the new task definitions name (passed to ECS tasks only)."""
    codedeploy_deployment_group_arns: Sequence[str] = ()
    """CodeDeploy deployment groups (blue/green services) it starts deployments in."""
    codedeploy_application_arn: str | None = None
    """The CodeDeploy application its revisions are registered in."""
    codedeploy_config_arns: Sequence[str] = ()
    """Deployment configs those groups use (CreateDeployment reads them)."""
    spa_bucket_arn: str | None = None
    """S3 bucket of the single-page app it syncs build output to."""
    spa_kms_key_arn: str | None = None
    """CMK of that bucket, when it is not SSE-S3."""
    distribution_arn: str | None = None
    """CloudFront distribution it invalidates after a sync."""


class DeployRole(Construct):
    """`{name}-github-deploy`: assumable by GitHub Actions for the configured subjects only, allowed exactly to
    push images, register task definitions, update services (passing their roles), start CodeDeploy
    deployments, sync the SPA bucket and invalidate its distribution. Statements for absent targets are left out.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        provider_arn: str,
        subjects: Sequence[str],
        targets: DeployTargets,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        role = IamRole(
            self,
            "role",
            name=f"{name}-github-deploy",
            description="GitHub Actions deploys: ECR push, ECS task definitions and services, SPA sync",
            assume_role_policy=github_trust_policy(self, "trust", provider_arn=provider_arn, subjects=subjects),
            max_session_duration=3600,
            tags=dict(tags or {}),
        )
        policy = DataAwsIamPolicyDocument(self, "policy", statement=self._statements(targets))
        IamRolePolicy(self, "permissions", name="deploy", role=role.name, policy=policy.json)
        self.role_arn = role.arn
        self.role_name = role.name

    @staticmethod
    def _statements(t: DeployTargets) -> list[DataAwsIamPolicyDocumentStatement]:
        statement = DataAwsIamPolicyDocumentStatement
        condition = DataAwsIamPolicyDocumentStatementCondition
        task_definitions = [
            f"arn:{t.partition}:ecs:{t.region}:{t.account_id}:task-definition/{family}:*"
            for family in t.task_definition_families
        ]
        statements = [
            # GetAuthorizationToken has no resource type: the token is per registry, not per repository.
            statement(sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=[ANY_RESOURCE]),
            statement(
                sid="EcrPush",
                actions=[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:DescribeImages",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                resources=list(t.repository_arns),
            ),
            # RegisterTaskDefinition and DescribeTaskDefinition have no resource type (AWS requires "*").
            statement(
                sid="EcsTaskDefinitions",
                actions=["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
                resources=[ANY_RESOURCE],
            ),
            statement(
                sid="EcsTagOnRegister",
                actions=["ecs:TagResource"],
                resources=task_definitions,
                condition=[
                    condition(test="StringEquals", variable="ecs:CreateAction", values=["RegisterTaskDefinition"])
                ],
            ),
            statement(
                sid="EcsServices",
                actions=["ecs:DescribeServices", "ecs:UpdateService"],
                resources=list(t.service_arns),
            ),
            statement(
                sid="PassTaskRoles",
                actions=["iam:PassRole"],
                resources=list(t.passed_role_arns),
                condition=[
                    condition(test="StringEquals", variable="iam:PassedToService", values=["ecs-tasks.amazonaws.com"])
                ],
            ),
        ]
        if t.codedeploy_deployment_group_arns:
            statements += [
                statement(
                    sid="CodeDeployDeployments",
                    actions=[
                        "codedeploy:CreateDeployment",
                        "codedeploy:GetDeployment",
                        "codedeploy:GetDeploymentGroup",
                    ],
                    resources=list(t.codedeploy_deployment_group_arns),
                ),
                statement(
                    sid="CodeDeployConfigs",
                    actions=["codedeploy:GetDeploymentConfig"],
                    resources=list(t.codedeploy_config_arns),
                ),
            ]
        if t.codedeploy_application_arn is not None:
            statements.append(
                statement(
                    sid="CodeDeployRevisions",
                    actions=["codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
                    resources=[t.codedeploy_application_arn],
                )
            )
        if t.spa_bucket_arn is not None:
            statements += [
                statement(sid="SpaList", actions=["s3:ListBucket"], resources=[t.spa_bucket_arn]),
                statement(
                    sid="SpaSync",
                    actions=["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                    resources=[f"{t.spa_bucket_arn}/*"],
                ),
            ]
            if t.spa_kms_key_arn is not None:
                statements.append(
                    statement(
                        sid="SpaEncryption",
                        actions=["kms:Decrypt", "kms:GenerateDataKey"],
                        resources=[t.spa_kms_key_arn],
                    )
                )
        if t.distribution_arn is not None:
            statements.append(
                statement(
                    sid="SpaInvalidation",
                    actions=["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                    resources=[t.distribution_arn],
                )
            )
        # no services, repositories or blue/green groups: IAM refuses a statement without resources
        return [s for s in statements if s.resources]
