"""ECS on Fargate: the cluster, one service per enabled config entry, autoscaling, and CodeDeploy blue/green."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cdktf import Fn, ITerraformDependable, Op, TerraformResourceLifecycle, Token
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensions,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
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
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.ecs_cluster import (
    EcsCluster,
    EcsClusterConfiguration,
    EcsClusterConfigurationExecuteCommandConfiguration,
    EcsClusterConfigurationExecuteCommandConfigurationLogConfiguration,
    EcsClusterSetting,
)
from cdktf_cdktf_provider_aws.ecs_cluster_capacity_providers import (
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
)
from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceCapacityProviderStrategy,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceDeploymentController,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)
from cdktf_cdktf_provider_aws.ecs_task_definition import (
    EcsTaskDefinition,
    EcsTaskDefinitionRuntimePlatform,
    EcsTaskDefinitionVolume,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from config.compute import ComputeConfig
from config.services import METRIC_VARIABLES, NO_IMAGE_TAG, AutoscalingConfig, ServiceConfig
from config.stack_values import references_in, resolve
from modules.compute.container import TMP_VOLUME, container_definition
from modules.compute.deployment import capacity_strategy, dependency_order, forces_new_deployment, ignored_changes
from modules.iam import service_trust_policy

CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
"""The capacity providers associated with the cluster."""


def service_log_group_name(name: str, service: str) -> str:
    """The CloudWatch log group of one service's containers (IAM policies elsewhere are built from it)."""
    return f"/ecs/{name}/{service}"


def exec_log_group_name(name: str) -> str:
    """The CloudWatch log group that records ECS Exec sessions of the cluster (outside the services' prefix)."""
    return f"/aws/ecs/{name}/execute-command"


class ServiceTargets(Protocol):
    """The target groups the load balancer built for one web service (a second one for blue/green)."""

    @property
    def primary_arn(self) -> str:
        """ARN of the target group that receives production traffic first."""

    @property
    def primary_name(self) -> str:
        """Name of the primary target group (CodeDeploy refers to target groups by name)."""

    @property
    def primary_arn_suffix(self) -> str:
        """`targetgroup/<name>/<id>`, the CloudWatch dimension of the primary target group."""

    @property
    def secondary_arn(self) -> str | None:
        """ARN of the blue/green replacement target group, None for rolling services."""

    @property
    def secondary_name(self) -> str | None:
        """Name of the replacement target group, None for rolling services."""

    @property
    def container_port(self) -> int:
        """The container port the target groups forward to."""


@dataclass(frozen=True)
class ServiceWiring:
    """What one service needs from other modules, already resolved to ARNs, ids and URLs."""

    image_repository_url: str
    """ECR repository URL; the image is `<url>:<image_tag>`."""
    execution_role_arn: str
    """Role ECS uses to pull the image, read secrets and write logs."""
    task_role_arn: str
    """Role the application (and ECS Exec) runs as."""
    security_group_id: str
    """Security group of the service's tasks."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Env var name -> `valueFrom` (Secrets Manager ARN, `<arn>:<json key>::`, or SSM parameter ARN)."""
    targets: ServiceTargets | None = None
    """The service's target groups; None for workers."""
    prod_listener_arn: str | None = None
    """Listener that carries production traffic (blue/green only)."""
    test_listener_arn: str | None = None
    """Listener CodeDeploy routes test traffic through before the switch (blue/green only)."""
    alb_arn_suffix: str | None = None
    """`app/<name>/<id>` of the ALB, for ALBRequestCountPerTarget scaling."""
    dependencies: Sequence[ITerraformDependable] = ()
    """Resources the service must wait for, e.g. the listener rule that attaches its target group to the ALB."""
    image_tag: str | None = None
    """The tag to run as a Terraform reference (the deployed-tag parameter CI writes), NO_IMAGE_TAG until CI has
    deployed once; None uses the config's `image_tag`."""


class Compute(Construct):
    """An ECS cluster on Fargate / Fargate Spot with every enabled service, its logs, scaling and deployments.

    Each service has one essential container, logs to its own KMS-encrypted log group, runs in the private
    subnets without a public IP, and deploys either by ECS rolling update with a rollback circuit breaker or by
    CodeDeploy blue/green between two target groups with automatic rollback.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        region: str,
        config: ComputeConfig,
        services: Mapping[str, ServiceConfig],
        wiring: Mapping[str, ServiceWiring],
        private_subnet_ids: Sequence[str],
        kms_key_arn: str,
        stack_values: Mapping[str, str] | None = None,
        partition: str = "aws",
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._stack_values = dict(stack_values or {})
        self._name = name
        self._region = region
        self._config = config
        self._kms_key_arn = kms_key_arn
        self._tags = dict(tags or {})
        enabled = {key: service for key, service in services.items() if service.enabled}
        order = dependency_order(services, enabled)
        for key in order:
            _check_wiring(key, enabled[key], wiring.get(key))
            _check_references(key, enabled[key], self._stack_values)

        exec_logs = CloudwatchLogGroup(
            self,
            "exec_logs",
            name=exec_log_group_name(name),
            retention_in_days=config.exec_log_retention_days,
            kms_key_id=kms_key_arn,
            tags=self._tags,
        )
        cluster = EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[EcsClusterSetting(name="containerInsights", value=config.container_insights)],
            configuration=EcsClusterConfiguration(
                execute_command_configuration=EcsClusterConfigurationExecuteCommandConfiguration(
                    kms_key_id=kms_key_arn,
                    logging="OVERRIDE",
                    log_configuration=EcsClusterConfigurationExecuteCommandConfigurationLogConfiguration(
                        cloud_watch_log_group_name=exec_logs.name,
                        cloud_watch_encryption_enabled=True,
                    ),
                )
            ),
            tags={"Name": name, **self._tags},
        )
        self._capacity_providers = EcsClusterCapacityProviders(
            self,
            "capacity_providers",
            cluster_name=cluster.name,
            capacity_providers=list(CAPACITY_PROVIDERS),
            default_capacity_provider_strategy=[
                EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(capacity_provider="FARGATE", weight=1)
            ],
        )
        self._cluster = cluster
        self.cluster_name: str = cluster.name
        self.cluster_arn: str = cluster.arn
        self.exec_log_group_name: str = exec_logs.name
        self.exec_log_group_arn: str = exec_logs.arn

        self.codedeploy_app_name: str | None = None
        self.codedeploy_role_arn: str | None = None
        self._codedeploy_app: CodedeployApp | None = None
        self._codedeploy_role: IamRole | None = None
        if any(enabled[key].deployment.strategy == "blue_green" for key in order):
            self._codedeploy(partition)

        self.service_names: dict[str, str] = {}
        self.service_arns: dict[str, str] = {}
        self.task_definition_families: dict[str, str] = {}
        self.task_definition_arns: dict[str, str] = {}
        self.log_group_names: dict[str, str] = {}
        self.log_group_arns: dict[str, str] = {}
        self.codedeploy_deployment_group_names: dict[str, str] = {}
        created: dict[str, EcsService] = {}
        for key in order:
            created[key] = self._service(
                key,
                enabled[key],
                wiring[key],
                private_subnet_ids,
                [created[d] for d in enabled[key].depends_on if d in created],
            )

    def _codedeploy(self, partition: str) -> None:
        app = CodedeployApp(self, "codedeploy", name=self._name, compute_platform="ECS", tags=self._tags)
        account = DataAwsCallerIdentity(self, "codedeploy_caller").account_id
        assume_policy = service_trust_policy(  # CodeDeploy documents the deployment group ARN as aws:SourceArn
            self,
            "codedeploy_assume",
            service="codedeploy.amazonaws.com",
            account_id=account,
            source_arn=f"arn:{partition}:codedeploy:{self._region}:{account}:deploymentgroup:{self._name}/*",
        )
        role = IamRole(
            self, "codedeploy_role", name=f"{self._name}-codedeploy", assume_role_policy=assume_policy, tags=self._tags
        )
        IamRolePolicyAttachment(
            self,
            "codedeploy_ecs",
            role=role.name,
            policy_arn=f"arn:{partition}:iam::aws:policy/AWSCodeDeployRoleForECS",
        )
        self._codedeploy_app = app
        self._codedeploy_role = role
        self.codedeploy_app_name = app.name
        self.codedeploy_role_arn = role.arn

    def _service(
        self,
        key: str,
        config: ServiceConfig,
        wiring: ServiceWiring,
        subnet_ids: Sequence[str],
        after: list[EcsService],
    ) -> EcsService:
        ident = key.replace("-", "_")
        full_name = f"{self._name}-{key}"
        blue_green = config.deployment.strategy == "blue_green"

        log_group = CloudwatchLogGroup(
            self,
            f"{ident}_logs",
            name=service_log_group_name(self._name, key),
            retention_in_days=config.log_retention_days,
            kms_key_id=self._kms_key_arn,
            tags=self._tags,
        )
        tag = wiring.image_tag if wiring.image_tag is not None else config.image_tag
        # Without a tag the service exists with 0 tasks (first apply on empty repositories): a plan-time condition
        # when the tag is a reference (NO_IMAGE_TAG until CI writes one), a plain 0 when there is none at all.
        no_image: Any = True if tag is None else Op.eq(tag, NO_IMAGE_TAG) if Token.is_unresolved(tag) else None
        image_tag = NO_IMAGE_TAG if tag is None else tag
        container = container_definition(
            container_name=key,
            config=config,
            image=f"{wiring.image_repository_url}:{image_tag}",
            log_group_name=log_group.name,
            region=self._region,
            environment=self._environment(config),
            secrets=wiring.secrets,
            health_check=self._config.container_health_check,
        )
        task = EcsTaskDefinition(
            self,
            f"{ident}_task",
            family=full_name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(config.cpu),
            memory=str(config.memory),
            execution_role_arn=wiring.execution_role_arn,
            task_role_arn=wiring.task_role_arn,
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture=self._config.cpu_architecture
            ),
            volume=[EcsTaskDefinitionVolume(name=TMP_VOLUME)] if config.readonly_root_filesystem else None,
            container_definitions=json.dumps([container]),
            tags={"Name": full_name, **self._tags},
        )

        targets = wiring.targets
        ignored = ignored_changes(config, ci_owns_task_definitions=self._config.ignore_task_definition_changes)

        service = EcsService(
            self,
            f"{ident}_service",
            name=full_name,
            cluster=self._cluster.arn,
            task_definition=task.arn,
            desired_count=_gated(config.desired_count, no_image),
            platform_version=self._config.platform_version,
            capacity_provider_strategy=[
                EcsServiceCapacityProviderStrategy(
                    capacity_provider=share.capacity_provider, weight=share.weight, base=share.base
                )
                for share in capacity_strategy(config.spot)
            ],
            # A changed capacity strategy is then an in-place update (a new deployment), not a replacement.
            force_new_deployment=forces_new_deployment(config) or None,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(subnet_ids), security_groups=[wiring.security_group_id], assign_public_ip=False
            ),
            load_balancer=(
                [
                    EcsServiceLoadBalancer(
                        target_group_arn=targets.primary_arn,
                        container_name=key,
                        container_port=targets.container_port,
                    )
                ]
                if targets is not None
                else None
            ),
            health_check_grace_period_seconds=(
                config.deployment.health_check_grace_period if targets is not None else None
            ),
            deployment_minimum_healthy_percent=config.deployment.min_healthy_percent,
            deployment_maximum_percent=config.deployment.max_percent,
            deployment_controller=EcsServiceDeploymentController(type="CODE_DEPLOY" if blue_green else "ECS"),
            deployment_circuit_breaker=(
                EcsServiceDeploymentCircuitBreaker(enable=True, rollback=True)
                if not blue_green and config.deployment.circuit_breaker
                else None
            ),
            enable_execute_command=config.exec,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            depends_on=[self._capacity_providers, *after, *wiring.dependencies],
            lifecycle=TerraformResourceLifecycle(ignore_changes=ignored) if ignored else None,
            tags={"Name": full_name, **self._tags},
        )

        if config.autoscaling is not None:
            self._autoscaling(key, config, wiring, service, no_image)
        if blue_green:
            self._deployment_group(key, config, wiring, service)

        self.service_names[key] = service.name
        self.service_arns[key] = service.id
        self.task_definition_families[key] = task.family
        self.task_definition_arns[key] = task.arn
        self.log_group_names[key] = log_group.name
        self.log_group_arns[key] = log_group.arn
        return service

    def _environment(self, config: ServiceConfig) -> dict[str, str]:
        """The container's plain variables: config values with stack references resolved, plus the scaling metric."""
        environment = {variable: resolve(value, self._stack_values) for variable, value in config.environment.items()}
        metric = config.autoscaling.custom_metric if config.autoscaling is not None else None
        if metric is not None:
            environment[METRIC_VARIABLES["namespace"]] = metric.namespace
            environment[METRIC_VARIABLES["name"]] = metric.name
            environment[METRIC_VARIABLES["dimensions"]] = json.dumps(
                metric.published_dimensions(self._name), sort_keys=True, separators=(",", ":")
            )
        return environment

    def _autoscaling(
        self, key: str, config: ServiceConfig, wiring: ServiceWiring, service: EcsService, no_image: Any
    ) -> None:
        ident, full_name = key.replace("-", "_"), f"{self._name}-{key}"
        scaling = config.autoscaling
        assert scaling is not None
        target = AppautoscalingTarget(
            self,
            f"{ident}_scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{self._cluster.name}/{service.name}",
            min_capacity=_gated(scaling.min, no_image),
            max_capacity=_gated(scaling.max, no_image),
            tags=self._tags,
        )
        policies: dict[str, Any] = {}
        if scaling.cpu_target is not None:
            policies["cpu"] = _tracking(scaling, scaling.cpu_target, predefined="ECSServiceAverageCPUUtilization")
        if scaling.memory_target is not None:
            policies["memory"] = _tracking(
                scaling, scaling.memory_target, predefined="ECSServiceAverageMemoryUtilization"
            )
        if scaling.requests_per_target is not None:
            targets = wiring.targets
            assert targets is not None and wiring.alb_arn_suffix is not None  # checked in _check_wiring
            policies["requests"] = _tracking(
                scaling,
                scaling.requests_per_target,
                predefined="ALBRequestCountPerTarget",
                resource_label=f"{wiring.alb_arn_suffix}/{targets.primary_arn_suffix}",
            )
        if scaling.custom_metric is not None:
            metric = scaling.custom_metric
            policies["custom"] = _tracking(
                scaling,
                metric.target,
                custom=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification(
                    namespace=metric.namespace,
                    metric_name=metric.name,
                    statistic=metric.statistic,
                    dimensions=[
                        AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensions(
                            name=dimension, value=value
                        )
                        for dimension, value in sorted(metric.published_dimensions(self._name).items())
                    ],
                ),
            )
        for suffix, tracking in policies.items():
            AppautoscalingPolicy(
                self,
                f"{ident}_{suffix}_scaling",
                name=f"{full_name}-{suffix}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=tracking,
            )

    def _deployment_group(self, key: str, config: ServiceConfig, wiring: ServiceWiring, service: EcsService) -> None:
        ident, full_name = key.replace("-", "_"), f"{self._name}-{key}"
        app, role, targets = self._codedeploy_app, self._codedeploy_role, wiring.targets
        assert app is not None and role is not None and targets is not None  # checked in _check_wiring
        assert targets.secondary_name is not None and wiring.prod_listener_arn and wiring.test_listener_arn
        group = CodedeployDeploymentGroup(
            self,
            f"{ident}_deployment_group",
            app_name=app.name,
            deployment_group_name=full_name,
            service_role_arn=role.arn,
            deployment_config_name=self._config.blue_green_deployment_config,
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
            ecs_service=CodedeployDeploymentGroupEcsService(cluster_name=self._cluster.name, service_name=service.name),
            load_balancer_info=CodedeployDeploymentGroupLoadBalancerInfo(
                target_group_pair_info=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfo(
                    prod_traffic_route=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoProdTrafficRoute(
                        listener_arns=[wiring.prod_listener_arn]
                    ),
                    test_traffic_route=CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTestTrafficRoute(
                        listener_arns=[wiring.test_listener_arn]
                    ),
                    target_group=[
                        CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup(
                            name=targets.primary_name
                        ),
                        CodedeployDeploymentGroupLoadBalancerInfoTargetGroupPairInfoTargetGroup(
                            name=targets.secondary_name
                        ),
                    ],
                )
            ),
            tags=self._tags,
        )
        self.codedeploy_deployment_group_names[key] = group.deployment_group_name


def _tracking(
    scaling: AutoscalingConfig,
    target_value: float,
    *,
    predefined: str | None = None,
    resource_label: str | None = None,
    custom: Any = None,
) -> Any:
    """One target-tracking configuration with the service's cooldowns, on a predefined or a custom metric."""
    return AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
        target_value=float(target_value),
        scale_in_cooldown=scaling.scale_in_cooldown,
        scale_out_cooldown=scaling.scale_out_cooldown,
        predefined_metric_specification=(
            AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                predefined_metric_type=predefined, resource_label=resource_label
            )
            if predefined is not None
            else None
        ),
        customized_metric_specification=custom,
    )


def _gated(count: int, no_image: Any) -> Any:
    """A task count: 0 while the service has no image tag (True, or a plan-time condition), else `count`."""
    if no_image is True:
        return 0
    if no_image is None:
        return count
    return Token.as_number(Fn.conditional(no_image, 0, count))


def _check_references(key: str, config: ServiceConfig, stack_values: Mapping[str, str]) -> None:
    """Fail on environment references the stack gave no value for (config checks report them to the user first)."""
    for variable, value in sorted(config.environment.items()):
        missing = [name for name in references_in(value) if name not in stack_values]
        if missing:
            raise ValueError(f"service '{key}': environment.{variable} references {missing}, which have no value")


def _check_wiring(key: str, config: ServiceConfig, wiring: ServiceWiring | None) -> None:
    """Fail on wiring that does not match the service's config, before anything is synthesized."""
    if wiring is None:
        raise ValueError(f"service '{key}' is enabled but has no ServiceWiring")
    missing = sorted(set(config.secrets) - set(wiring.secrets))
    if missing:
        raise ValueError(f"service '{key}': secrets {missing} have no resolved ARN in its wiring")
    both = sorted(set(config.environment) & set(wiring.secrets))
    if both:
        raise ValueError(f"service '{key}': {both} are set both as environment variables and as secrets")
    if config.exec and config.readonly_root_filesystem:
        raise ValueError(
            f"service '{key}': ECS Exec needs a writable root filesystem (its SSM agent writes to it); "
            "turn off exec or readonly_root_filesystem"
        )
    targets = wiring.targets
    if config.kind == "worker":
        if targets is not None:
            raise ValueError(f"worker service '{key}' has no load balancer but its wiring has target groups")
        return
    if targets is None:
        raise ValueError(f"web service '{key}' needs target groups in its wiring")
    if targets.container_port != config.port:
        raise ValueError(
            f"service '{key}': its target groups forward to port {targets.container_port} "
            f"but the container listens on {config.port}"
        )
    if (
        config.autoscaling is not None
        and config.autoscaling.requests_per_target is not None
        and not wiring.alb_arn_suffix
    ):
        raise ValueError(f"service '{key}' scales on requests per target but its wiring has no alb_arn_suffix")
    if config.deployment.strategy == "blue_green" and (
        targets.secondary_arn is None
        or targets.secondary_name is None
        or not wiring.prod_listener_arn
        or not wiring.test_listener_arn
    ):
        raise ValueError(
            f"blue/green service '{key}' needs a second target group and prod and test listener ARNs in its wiring"
        )
