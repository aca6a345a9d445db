"""CodeDeploy blue/green for ECS: the application and its service role, and one deployment group per service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.codedeploy_app import CodedeployApp
from cdktf_cdktf_provider_aws.codedeploy_deployment_group import (
    CodedeployDeploymentGroup,
    CodedeployDeploymentGroupAutoRollbackConfiguration,
    CodedeployDeploymentGroupBlueGreenDeploymentConfig,
    CodedeployDeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOption,
    CodedeployDeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccess,
    CodedeployDeploymentGroupDeploymentStyle,
    CodedeployDeploymentGroupEcsService,
    CodedeployDeploymentGroupLoadBalancerInfo,
    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfo,
    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRoute,
    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup,
    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRoute,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from config.services import ServiceConfig
from modules.compute.wiring import ServiceWiring
from modules.iam import service_trust_policy


@dataclass(frozen=True)
class CodeDeployApplication:
    """The cluster's CodeDeploy application and the role its deployments run as."""

    app_name: str
    role_arn: str


def codedeploy_application(
    scope: Construct, *, name: str, region: str, account_id: str, partition: str, tags: Mapping[str, str]
) -> CodeDeployApplication:
    """The ECS CodeDeploy application `name` and its role, trusted only for this cluster's deployment groups."""
    app = CodedeployApp(scope, "codedeploy", name=name, compute_platform="ECS", tags=dict(tags))
    assume_policy = service_trust_policy(  # CodeDeploy documents the deployment group ARN as aws:SourceArn
        scope,
        "codedeploy_assume",
        service="codedeploy.amazonaws.com",
        account_id=account_id,
        source_arn=f"arn:{partition}:codedeploy:{region}:{account_id}:deploymentgroup:{name}/*",
    )
    role = IamRole(
        scope, "codedeploy_role", name=f"{name}-codedeploy", assume_role_policy=assume_policy, tags=dict(tags)
    )
    IamRolePolicyAttachment(
        scope,
        "codedeploy_ecs",
        role=role.name,
        policy_arn=f"arn:{partition}:iam::aws:policy/AWSCodeDeployRoleForECS",
    )
    return CodeDeployApplication(app_name=app.name, role_arn=role.arn)


def deployment_group(
    scope: Construct,
    *,
    key: str,
    name: str,
    application: CodeDeployApplication,
    deployment_config_name: str,
    cluster_name: str,
    service_name: str,
    config: ServiceConfig,
    wiring: ServiceWiring,
    tags: Mapping[str, str],
) -> str:
    """A blue/green deployment group shifting the prod listener between the service's two target groups.

    Returns the deployment group name. Rolls back automatically when a deployment fails.
    """
    ident, full_name = key.replace("-", "_"), f"{name}-{key}"
    targets = wiring.targets
    assert targets is not None  # checked in check_wiring
    assert targets.secondary_name is not None and wiring.prod_listener_arn and wiring.test_listener_arn
    group = CodedeployDeploymentGroup(
        scope,
        f"{ident}_deployment_group",
        app_name=application.app_name,
        deployment_group_name=full_name,
        service_role_arn=application.role_arn,
        deployment_config_name=deployment_config_name,
        deployment_style=CodedeployDeploymentGroupDeploymentStyle(
            deployment_type="BLUE_GREEN", deployment_option="WITH_TRAFFIC_CONTROL"
        ),
        auto_rollback_configuration=CodedeployDeploymentGroupAutoRollbackConfiguration(
            enabled=True, events=["DEPLOYMENT_FAILURE"]
        ),
        blue_green_deployment_config=CodedeployDeploymentGroupBlueGreenDeploymentConfig(
            deployment_ready_option=CodedeployDeploymentGroupBlueGreenDeploymentConfigDeploymentReadyOption(
                action_on_timeout="CONTINUE_DEPLOYMENT"
            ),
            terminate_blue_instances_on_deployment_success=(
                CodedeployDeploymentGroupBlueGreenDeploymentConfigTerminateBlueInstancesOnDeploymentSuccess(
                    action="TERMINATE",
                    termination_wait_time_in_minutes=config.deployment.blue_green_termination_wait_minutes,
                )
            ),
        ),
        ecs_service=CodedeployDeploymentGroupEcsService(cluster_name=cluster_name, service_name=service_name),
        load_balancer_info=CodedeployDeploymentGroupLoadBalancerInfo(
            target_group_pair_info=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfo(
                prod_traffic_route=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRoute(
                    listener_arns=[wiring.prod_listener_arn]
                ),
                test_traffic_route=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRoute(
                    listener_arns=[wiring.test_listener_arn]
                ),
                target_group=[
                    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup(name=targets.primary_name),
                    CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup(
                        name=targets.secondary_name
                    ),
                ],
            )
        ),
        tags=dict(tags),
    )
    deployment_group_name: str = group.deployment_group_name
    return deployment_group_name
