"""Target groups of the routed services, and what the compute module needs to know about them."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupStickiness
from constructs import Construct

from config.routing import routing_of
from config.services import ServiceConfig
from modules.load_balancer.health_check import health_check
from modules.load_balancer.names import TARGET_PROTOCOL, TARGET_TYPE, protocol_version


@dataclass(frozen=True)
class ServiceTargets:
    """The target group(s) of one routed service, as the compute module (ECS service, CodeDeploy) needs them.

    `primary` is the group the production listener forwards to at creation ("blue"); `secondary` exists only for
    blue/green services and is the group the test listener forwards to ("green"). CodeDeploy swaps them on each
    deployment, so after the first one "primary" is just the name of the first group, not the live one.
    """

    primary_arn: str
    primary_name: str
    primary_arn_suffix: str
    container_port: int
    secondary_arn: str | None = None
    secondary_name: str | None = None
    secondary_arn_suffix: str | None = None


def target_group(
    scope: Construct,
    id_: str,
    *,
    tg_name: str,
    vpc_id: str,
    svc: str,
    service: ServiceConfig,
    tags: dict[str, str],
) -> LbTargetGroup:
    """One IP target group of a web service, replaced create-before-destroy when its shape changes."""
    routing = routing_of(service)
    sticky = service.sticky
    return LbTargetGroup(
        scope,
        id_,
        name=tg_name,
        port=service.port,
        protocol=TARGET_PROTOCOL,
        protocol_version=protocol_version(service),
        target_type=TARGET_TYPE,
        vpc_id=vpc_id,
        deregistration_delay=str(routing.deregistration_delay),
        health_check=health_check(service),
        # Always written out: dropping the block would leave a once-sticky group sticky (the attribute is computed).
        stickiness=LbTargetGroupStickiness(
            type="lb_cookie",
            enabled=sticky,
            cookie_duration=routing.stickiness_seconds if sticky else None,
        ),
        # A port/protocol change replaces the group under a new name (target_group_name): create the new one,
        # move the listener rules and the ECS service to it, then delete the old one.
        lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        tags={"Name": tg_name, "Service": svc, **tags},
    )
