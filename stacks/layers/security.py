"""Security layer: the security-group chain ALB -> services -> database / Redis inside the VPC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from modules.security import SecurityGroups
from stacks.layers.context import EnvironmentContext
from stacks.layers.network import NetworkOutputs


@dataclass(frozen=True)
class SecurityOutputs:
    """The security group of each tier; data-tier groups are None when that store is disabled."""

    alb_security_group_id: str
    service_security_group_ids: Mapping[str, str]
    database_security_group_id: str | None
    cache_security_group_id: str | None
    bastion_security_group_id: str | None
    """The bastion's group (reaches the data stores through SSM port forwarding), None without `bastion`."""
    function_security_group_ids: Mapping[str, str]
    """The group of each Lambda function of `[api]` that runs in the VPC (`vpc = true`)."""
    batch_security_group_id: str | None = None
    """The Batch jobs' group (no ingress; the data stores of `batch.data_access`), None without `[batch]`."""


def security_layer(scope: Construct, *, env: EnvironmentContext, network: NetworkOutputs) -> SecurityOutputs:
    """One group per tier and per service; each rule names the group it admits, never a CIDR inside the VPC."""
    config = env.config
    services = config.enabled_services
    blue_green = any(service.deployment.strategy == "blue_green" for service in services.values())
    groups = SecurityGroups(
        scope,
        "security_groups",
        name=env.prefix,
        vpc_id=network.vpc_id,
        config=config.security,
        services=services,
        database=config.database.enabled,
        cache=config.cache.enabled,
        database_port=config.database.port,
        cache_port=config.cache.port,
        # the ALB's test listener (blue/green) must reach the services too
        test_listener_port=config.load_balancer.test_listener_port
        if blue_green and config.load_balancer is not None
        else None,
        vpc_cidr=network.vpc_cidr_block,
        batch=config.batch.enabled,
        batch_data_access=config.batch.data_access,
        functions={name: function.data_access for name, function in config.api.functions.items() if function.vpc}
        if config.api.enabled
        else None,
    )
    return SecurityOutputs(
        alb_security_group_id=groups.alb_security_group_id,
        service_security_group_ids=dict(groups.service_security_group_ids),
        database_security_group_id=groups.database_security_group_id,
        cache_security_group_id=groups.cache_security_group_id,
        bastion_security_group_id=groups.bastion_security_group_id,
        batch_security_group_id=groups.batch_security_group_id,
        function_security_group_ids=dict(groups.function_security_group_ids),
    )
