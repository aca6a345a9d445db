"""Pure planning of how ECS services are placed, ordered and updated: capacity strategy, creation order, and what
Terraform must not touch.

Plain functions over the config, unit-tested without synthesizing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.services import ServiceConfig, SpotConfig

CODE_DEPLOY_OWNED = (
    "task_definition",
    "load_balancer",
    "network_configuration",
    "platform_version",
    "capacity_provider_strategy",
)
"""Arguments UpdateService refuses for a CODE_DEPLOY service: only a CodeDeploy deployment (its AppSpec carries the
task definition, network configuration, platform version and capacity strategy) or a new service changes them.
Terraform ignores them after creation instead of planning an in-place update that fails."""


@dataclass(frozen=True)
class CapacityShare:
    """One entry of a service's capacity provider strategy."""

    capacity_provider: str
    weight: int
    base: int | None = None


def capacity_strategy(spot: SpotConfig) -> tuple[CapacityShare, ...]:
    """FARGATE only, or `base` tasks on FARGATE and the rest split between FARGATE and FARGATE_SPOT by weight."""
    if not spot.enabled:
        return (CapacityShare("FARGATE", 1),)
    return (
        CapacityShare("FARGATE", spot.on_demand_weight, spot.base),
        CapacityShare("FARGATE_SPOT", spot.spot_weight),
    )


def forces_new_deployment(service: ServiceConfig) -> bool:
    """Whether the service sets `force_new_deployment`.

    With provider 5.x a changed capacity_provider_strategy replaces the service (delete, then create: an outage)
    unless force_new_deployment is true; with it, the change is an UpdateService call and ECS rolls the tasks
    onto the new strategy under the service's deployment settings. Only rolling (ECS controller) services: a
    CODE_DEPLOY service ignores its strategy (CODE_DEPLOY_OWNED).
    """
    return service.deployment.strategy == "rolling"


def ignored_changes(service: ServiceConfig, *, ci_owns_task_definitions: bool) -> list[str]:
    """The `lifecycle.ignore_changes` of a service's aws_ecs_service, in a stable order."""
    ignored: list[str] = []
    if service.deployment.strategy == "blue_green":
        ignored += CODE_DEPLOY_OWNED
    elif ci_owns_task_definitions:
        ignored.append("task_definition")
    if service.autoscaling is not None:
        ignored.append("desired_count")  # owned by Application Auto Scaling once the service runs
    return ignored


def dependency_order(services: Mapping[str, ServiceConfig], enabled: Mapping[str, ServiceConfig]) -> list[str]:
    """Enabled services with every service after those it depends on; disabled dependencies are skipped."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(key: str) -> None:
        if key in order:
            return
        if key in visiting:
            cycle = " -> ".join([*visiting[visiting.index(key) :], key])
            raise ValueError(f"services depend on each other in a cycle: {cycle}")
        visiting.append(key)
        for dependency in enabled[key].depends_on:
            if dependency not in services:
                raise ValueError(
                    f"service '{key}' depends_on '{dependency}', which is not a service; "
                    f"services: {', '.join(sorted(services))}"
                )
            if dependency in enabled:
                visit(dependency)
        visiting.pop()
        order.append(key)

    for key in enabled:
        visit(key)
    return order
