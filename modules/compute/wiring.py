"""What one ECS service is handed by the layers below it, and the checks that it matches the service's config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cdktf import ITerraformDependable

from config.services import ServiceConfig
from config.stack_values import references_in


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
    environment: Mapping[str, str] = field(default_factory=dict)
    """Variables the platform sets besides the config's, e.g. `UPLOADS_BUCKET` for a bucket the service names."""
    image_tag: str | None = None
    """The tag to run as a Terraform reference (the deployed-tag parameter CI writes), NO_IMAGE_TAG until CI has
    deployed once; None uses the config's `image_tag`."""


def check_references(key: str, config: ServiceConfig, stack_values: Mapping[str, str]) -> None:
    """Fail on environment references the stack gave no value for (config checks report them to the user first)."""
    for variable, value in sorted(config.environment.items()):
        missing = [name for name in references_in(value) if name not in stack_values]
        if missing:
            raise ValueError(f"service '{key}': environment.{variable} references {missing}, which have no value")


def check_wiring(key: str, config: ServiceConfig, wiring: ServiceWiring | None) -> None:
    """Fail on wiring that does not match the service's config, before anything is synthesized."""
    if wiring is None:
        raise ValueError(f"service '{key}' is enabled but has no ServiceWiring")
    missing = sorted(set(config.secrets) - set(wiring.secrets))
    if missing:
        raise ValueError(f"service '{key}': secrets {missing} have no resolved ARN in its wiring")
    both = sorted(set(config.environment) & set(wiring.secrets))
    both += sorted((set(config.environment) | set(wiring.secrets)) & set(wiring.environment))
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
