"""Load-balancing layer: the internet-facing ALB in the public tier, its target groups, and the WAF in front of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import ITerraformDependable
from constructs import Construct

from config.edge import fronted_by_cloudfront
from modules.edge import OriginSecret, origin_secret_value
from modules.load_balancer import LoadBalancer, ServiceTargets
from modules.security import WebAcl
from stacks.layers.context import EnvironmentContext
from stacks.layers.domain import DomainOutputs
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.security import SecurityOutputs


@dataclass(frozen=True)
class OriginSecretOutputs:
    """Where the CloudFront origin secret lives (never its value): later layers read it by ARN and version."""

    secret_arn: str
    version_id: str


@dataclass(frozen=True)
class LoadBalancingOutputs:
    """What the ECS services attach to: target groups, listeners, and what must exist before they start."""

    alb_arn: str
    alb_arn_suffix: str
    alb_dns_name: str
    alb_zone_id: str
    https_listener_arn: str
    test_listener_arn: str | None
    target_groups: Mapping[str, ServiceTargets]
    attachments: Mapping[str, tuple[ITerraformDependable, ...]]
    """Per service, the listener / rules that attach its target group; its ECS service waits for them."""
    waf_web_acl_arn: str | None
    origin_secret: OriginSecretOutputs | None = None
    """The secret header the ALB requires when CloudFront fronts it (`cdn.api_paths`), else None."""


def load_balancing_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
    domain: DomainOutputs | None = None,
) -> LoadBalancingOutputs | None:
    """The ALB and its WAF when the environment has a `[load_balancer]` and a web service, else None.

    With `[domain]` the HTTPS listener takes the domain layer's validated certificate. When CloudFront fronts
    the ALB (`cdn.api_paths`), the layer generates the origin secret, every listener rule requires it (403
    otherwise), and the WAF rate limit counts the viewer's address from X-Forwarded-For.
    """
    config = env.config
    services = config.enabled_services
    if config.load_balancer is None or not any(service.kind == "web" for service in services.values()):
        return None
    fronted = fronted_by_cloudfront(config)
    secret = None
    origin_header = None
    if fronted:
        secret = OriginSecret(
            scope,
            "origin_secret",
            name=env.prefix,
            kms_key_arn=encryption.kms_key_arn,
            version=config.cdn.origin_secret_version,
            recovery_window_days=config.security.secret_recovery_days,
        )
        origin_header = (
            config.cdn.origin_header,
            origin_secret_value(scope, "alb_origin_secret", secret_arn=secret.secret_arn, version_id=secret.version_id),
        )
    load_balancer = LoadBalancer(
        scope,
        "load_balancer",
        name=env.prefix,
        config=config.load_balancer,
        services=services,
        vpc_id=network.vpc_id,
        public_subnet_ids=network.public_subnet_ids,
        security_group_id=security.alb_security_group_id,
        certificate_arn=domain.alb_certificate_arn if domain is not None else None,
        origin_header=origin_header,
    )
    waf = WebAcl(
        scope,
        "waf",
        name=env.prefix,
        config=config.security.waf,
        alb_arn=load_balancer.alb_arn,
        log_kms_key_arn=encryption.kms_key_arn,
        forwarded_ip=fronted,
    )
    return LoadBalancingOutputs(
        alb_arn=load_balancer.alb_arn,
        alb_arn_suffix=load_balancer.alb_arn_suffix,
        alb_dns_name=load_balancer.alb_dns_name,
        alb_zone_id=load_balancer.alb_zone_id,
        https_listener_arn=load_balancer.https_listener_arn,
        test_listener_arn=load_balancer.test_listener_arn,
        target_groups=dict(load_balancer.target_groups),
        attachments={name: tuple(items) for name, items in load_balancer.attachments.items()},
        waf_web_acl_arn=waf.web_acl_arn,
        origin_secret=OriginSecretOutputs(secret.secret_arn, secret.version_id) if secret is not None else None,
    )
