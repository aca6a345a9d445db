"""Load-balancing layer: the internet-facing ALB in the public tier, its target groups, and the WAF in front of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import ITerraformDependable
from constructs import Construct

from modules.load_balancer import LoadBalancer, ServiceTargets
from modules.security import WebAcl
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.security import SecurityOutputs


@dataclass(frozen=True)
class LoadBalancingOutputs:
    """What the ECS services attach to: target groups, listeners, and what must exist before they start."""

    alb_arn: str
    alb_arn_suffix: str
    alb_dns_name: str
    https_listener_arn: str
    test_listener_arn: str | None
    target_groups: Mapping[str, ServiceTargets]
    attachments: Mapping[str, tuple[ITerraformDependable, ...]]
    """Per service, the listener / rules that attach its target group; its ECS service waits for them."""
    waf_web_acl_arn: str | None


def load_balancing_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
) -> LoadBalancingOutputs | None:
    """The ALB and its WAF when the environment has a `[load_balancer]` and a web service, else None."""
    config = env.config
    services = config.enabled_services
    if config.load_balancer is None or not any(service.kind == "web" for service in services.values()):
        return None
    load_balancer = LoadBalancer(
        scope,
        "load_balancer",
        name=env.prefix,
        config=config.load_balancer,
        services=services,
        vpc_id=network.vpc_id,
        public_subnet_ids=network.public_subnet_ids,
        security_group_id=security.alb_security_group_id,
    )
    waf = WebAcl(
        scope,
        "waf",
        name=env.prefix,
        config=config.security.waf,
        alb_arn=load_balancer.alb_arn,
        log_kms_key_arn=encryption.kms_key_arn,
    )
    return LoadBalancingOutputs(
        alb_arn=load_balancer.alb_arn,
        alb_arn_suffix=load_balancer.alb_arn_suffix,
        alb_dns_name=load_balancer.alb_dns_name,
        https_listener_arn=load_balancer.https_listener_arn,
        test_listener_arn=load_balancer.test_listener_arn,
        target_groups=dict(load_balancer.target_groups),
        attachments={name: tuple(items) for name, items in load_balancer.attachments.items()},
        waf_web_acl_arn=waf.web_acl_arn,
    )
