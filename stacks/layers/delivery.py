"""Delivery layer: the roles GitHub Actions assumes to deploy this environment and to run Terraform on it."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config.models import ENVIRONMENT_NAMES
from modules.delivery import DeployRole, DeployTargets, StateAccess, TerraformRoles, github_oidc_provider_arn
from stacks.layers.account import AccountOutputs
from stacks.layers.compute import ComputeOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.registry import RegistryOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class DeliveryOutputs:
    """The roles a workflow names in aws-actions/configure-aws-credentials."""

    deploy_role_arn: str
    terraform_plan_role_arn: str
    terraform_apply_role_arn: str


def delivery_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    registry: RegistryOutputs,
    compute: ComputeOutputs,
    spa_bucket_arn: str | None = None,
    spa_kms_key_arn: str | None = None,
    distribution_arn: str | None = None,
) -> DeliveryOutputs | None:
    """The deploy and Terraform roles when `delivery` is on, else None.

    The SPA bucket and CloudFront distribution, when the edge layer has them, add the sync and invalidation
    statements to the deploy role. The OIDC provider is the account's (created by the bootstrap stack or outside).
    """
    config = env.config.delivery
    if not config.enabled:
        return None
    prefix, region, partition, account_id = env.prefix, env.region, account.partition, account.account_id
    provider_arn = github_oidc_provider_arn(partition=partition, account_id=account_id)
    ecs = f"arn:{partition}:ecs:{region}:{account_id}"
    codedeploy = f"arn:{partition}:codedeploy:{region}:{account_id}"
    app = compute.codedeploy_app_name
    groups = compute.codedeploy_deployment_group_names
    deploy = DeployRole(
        scope,
        "delivery_deploy",
        name=prefix,
        provider_arn=provider_arn,
        subjects=config.subjects,
        targets=DeployTargets(
            account_id=account_id,
            partition=partition,
            region=region,
            repository_arns=[registry.repository_arns[key] for key in sorted(registry.repository_arns)],
            service_arns=[f"{ecs}:service/{compute.cluster_name}/{name}" for name in compute.service_names.values()],
            task_definition_families=[f"{prefix}-{name}" for name in compute.service_names],
            passed_role_arns=[
                arn for wiring in compute.wiring.values() for arn in (wiring.task_role_arn, wiring.execution_role_arn)
            ],
            codedeploy_deployment_group_arns=[
                f"{codedeploy}:deploymentgroup:{app}/{group}" for group in groups.values()
            ],
            codedeploy_application_arn=f"{codedeploy}:application:{app}" if app is not None else None,
            codedeploy_config_arns=[f"{codedeploy}:deploymentconfig:{env.config.compute.blue_green_deployment_config}"]
            if groups
            else [],
            spa_bucket_arn=spa_bucket_arn,
            spa_kms_key_arn=spa_kms_key_arn,
            distribution_arn=distribution_arn,
        ),
    )
    backend = env.config.backend
    state_account = backend.state_account_id or account_id
    terraform = TerraformRoles(
        scope,
        "delivery_terraform",
        name=prefix,
        provider_arn=provider_arn,
        plan_subjects=config.plan_subjects,
        apply_subjects=config.subjects,
        account_id=account_id,
        region=region,
        kms_key_arn=encryption.kms_key_arn,
        state=StateAccess(
            bucket=backend.bucket,
            key_prefix=f"{env.project.name}/{env.config.name}/",
            lock_table_arn=f"arn:{partition}:dynamodb:{backend.region}:{state_account}:table/{backend.lock_table}"
            if backend.uses_dynamodb
            else None,
            lockfile=backend.uses_lockfile,
            kms_key_arns=f"arn:{partition}:kms:{backend.region}:{state_account}:key/*",
            kms_key_alias=backend.state_key_alias,
            partition=partition,
            other_key_prefixes=[
                f"{env.project.name}/{other}/" for other in ENVIRONMENT_NAMES if other != env.config.name
            ],
            assume_role_arns=[arn for arn in (backend.role_arn, env.config.deploy_role_arn) if arn is not None],
        ),
    )
    return DeliveryOutputs(
        deploy_role_arn=deploy.role_arn,
        terraform_plan_role_arn=terraform.plan_role_arn,
        terraform_apply_role_arn=terraform.apply_role_arn,
    )


def delivery_outputs(delivery: DeliveryOutputs | None) -> list[StackOutput]:
    """The three role ARNs when delivery is on."""
    if delivery is None:
        return []
    return [
        StackOutput(
            "delivery", "deploy_role_arn", delivery.deploy_role_arn, "Role GitHub Actions assumes to deploy (OIDC)"
        ),
        StackOutput(
            "delivery",
            "terraform_plan_role_arn",
            delivery.terraform_plan_role_arn,
            "Role GitHub Actions assumes for terraform plan",
        ),
        StackOutput(
            "delivery",
            "terraform_apply_role_arn",
            delivery.terraform_apply_role_arn,
            "Role GitHub Actions assumes for terraform apply",
        ),
    ]
