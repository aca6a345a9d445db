"""ECS on Fargate: the cluster and one service per enabled config entry (task definition, logs, ECS service).

Autoscaling (autoscaling.py), CodeDeploy blue/green (blue_green.py), the container definition (container.py),
placement and update planning (deployment.py) and the wiring checks (wiring.py) live in their own files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cdktf import Op, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
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
from constructs import Construct

from config.compute import ComputeConfig
from config.services import METRIC_VARIABLES, NO_IMAGE_TAG, ServiceConfig
from config.stack_values import resolve
from modules.compute.autoscaling import gated, service_autoscaling
from modules.compute.blue_green import CodeDeployApplication, codedeploy_application, deployment_group
from modules.compute.container import TMP_VOLUME, container_definition
from modules.compute.deployment import capacity_strategy, dependency_order, forces_new_deployment, ignored_changes
from modules.compute.wiring import ServiceTargets as ServiceTargets
from modules.compute.wiring import ServiceWiring as ServiceWiring
from modules.compute.wiring import check_references, check_wiring
from modules.tokens import is_unresolved

CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
"""The capacity providers associated with the cluster."""


def service_log_group_name(name: str, service: str) -> str:
    """The CloudWatch log group of one service's containers (IAM policies elsewhere are built from it)."""
    return f"/ecs/{name}/{service}"


def exec_log_group_name(name: str) -> str:
    """The CloudWatch log group that records ECS Exec sessions of the cluster (outside the services' prefix)."""
    return f"/aws/ecs/{name}/execute-command"


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
        account_id: str,
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
            check_wiring(key, enabled[key], wiring.get(key))
            check_references(key, enabled[key], self._stack_values)

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
        self._codedeploy: CodeDeployApplication | None = None
        if any(enabled[key].deployment.strategy == "blue_green" for key in order):
            self._codedeploy = codedeploy_application(
                self, name=name, region=region, account_id=account_id, partition=partition, tags=self._tags
            )
            self.codedeploy_app_name = self._codedeploy.app_name
            self.codedeploy_role_arn = self._codedeploy.role_arn

        self.service_names: dict[str, str] = {}
        self.container_environments: dict[str, dict[str, str]] = {}
        """Per service, the plain variables its container gets (values may be Terraform references)."""
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
        no_image: Any = True if tag is None else Op.eq(tag, NO_IMAGE_TAG) if is_unresolved(tag) else None
        image_tag = NO_IMAGE_TAG if tag is None else tag
        container = container_definition(
            container_name=key,
            config=config,
            image=f"{wiring.image_repository_url}:{image_tag}",
            log_group_name=log_group.name,
            region=self._region,
            environment=self.container_environments.setdefault(
                key, {**self._environment(config), **wiring.environment}
            ),
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
            desired_count=gated(config.desired_count, no_image),
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
            service_autoscaling(
                self,
                key=key,
                name=self._name,
                cluster_name=self._cluster.name,
                service_name=service.name,
                config=config,
                wiring=wiring,
                no_image=no_image,
                tags=self._tags,
            )
        if blue_green:
            assert self._codedeploy is not None
            self.codedeploy_deployment_group_names[key] = deployment_group(
                self,
                key=key,
                name=self._name,
                application=self._codedeploy,
                deployment_config_name=self._config.blue_green_deployment_config,
                cluster_name=self._cluster.name,
                service_name=service.name,
                config=config,
                wiring=wiring,
                tags=self._tags,
            )

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
