"""Compute layer: per service its IAM roles, then the ECS cluster and services that consume every layer below."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformStack
from constructs import Construct

from modules.compute import Compute, ServiceWiring, exec_log_group_name, service_log_group_name
from modules.security import ServiceRoles
from stacks.layers.access import resolve_access
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.load_balancing import LoadBalancingOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.registry import RegistryOutputs
from stacks.layers.secrets import SecretsOutputs
from stacks.layers.security import SecurityOutputs
from stacks.layers.service_secrets import resolve_secrets
from stacks.layers.storage import StorageOutputs


@dataclass(frozen=True)
class ComputeOutputs:
    """The cluster and its services, and what each service was wired to (for tests and later layers)."""

    cluster_name: str
    service_names: Mapping[str, str]
    codedeploy_app_name: str | None
    codedeploy_deployment_group_names: Mapping[str, str]
    """CodeDeploy deployment group per blue/green service."""
    wiring: Mapping[str, ServiceWiring]
    """Per service, the resolved wiring its ECS service and task definition were built from."""
    container_environments: Mapping[str, Mapping[str, str]]
    """Per service, the plain variables of its container (secrets are in `wiring[...].secrets`, as ARNs)."""


def compute_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
    data: DataOutputs,
    secrets: SecretsOutputs,
    registry: RegistryOutputs,
    storage: StorageOutputs,
    load_balancing: LoadBalancingOutputs | None,
) -> ComputeOutputs:
    """Execution and task roles per service (reading exactly its secrets, using exactly the buckets and queues it
    names, whose names and URLs it gets as variables), then ECS services in the private tier."""
    prefix, region, services = env.prefix, env.region, env.config.enabled_services
    log_group_arn_prefix = f"arn:{account.partition}:logs:{region}:{account.account_id}:log-group:"
    lb = load_balancing
    wiring = {}
    for name, service in services.items():
        resolved = resolve_secrets(service, secrets, data)
        access = resolve_access(buckets=service.buckets, queues=service.queues, storage=storage, region=region)
        roles = ServiceRoles(
            scope,
            f"{name}_roles",
            name=prefix,
            service_name=name,
            service=service,
            log_group_arn=log_group_arn_prefix + service_log_group_name(prefix, name),
            exec_log_group_arn=log_group_arn_prefix + exec_log_group_name(prefix) if service.exec else None,
            secret_arns=list(resolved.secret_arns),
            parameter_arns=list(resolved.parameter_arns),
            kms_key_arn=encryption.kms_key_arn,
            repository_arn=registry.repository_arns[name],
            task_grants=access.grants,
        )
        wiring[name] = ServiceWiring(
            image_repository_url=registry.repository_urls[name],
            image_tag=registry.deployed_tags.get(name),
            execution_role_arn=roles.execution_role_arn,
            task_role_arn=roles.task_role_arn,
            security_group_id=security.service_security_group_ids[name],
            secrets=resolved.value_from,
            environment=access.environment,
            targets=lb.target_groups.get(name) if lb is not None else None,
            prod_listener_arn=lb.https_listener_arn if lb is not None else None,
            test_listener_arn=lb.test_listener_arn if lb is not None else None,
            alb_arn_suffix=lb.alb_arn_suffix if lb is not None else None,
            # listener rules the service registers behind; in a state of its own they are applied before anyway
            dependencies=same_stack(scope, lb.attachments.get(name, ())) if lb is not None else [],
        )
    compute = Compute(
        scope,
        "compute",
        name=prefix,
        region=region,
        config=env.config.compute,
        services=services,
        wiring=wiring,
        private_subnet_ids=network.private_subnet_ids,
        kms_key_arn=encryption.kms_key_arn,
        stack_values=data.stack_values,
        account_id=account.account_id,
        partition=account.partition,
    )
    return ComputeOutputs(
        cluster_name=compute.cluster_name,
        service_names=dict(compute.service_names),
        codedeploy_app_name=compute.codedeploy_app_name,
        codedeploy_deployment_group_names=dict(compute.codedeploy_deployment_group_names),
        wiring=wiring,
        container_environments={name: dict(variables) for name, variables in compute.container_environments.items()},
    )


def same_stack(scope: Construct, dependencies: Sequence[ITerraformDependable]) -> list[ITerraformDependable]:
    """The dependencies that live in `scope`'s stack: `depends_on` cannot name a resource of another state."""
    stack = TerraformStack.of(scope)
    return [dependency for dependency in dependencies if TerraformStack.of(dependency) is stack]  # type: ignore[arg-type]
