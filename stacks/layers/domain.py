"""Domain layer: the Route53 zone and the DNS-validated ACM certificates (regional for the ALB, us-east-1 for
CloudFront). It comes before load balancing, whose HTTPS listener takes the regional certificate."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config.edge import DomainNames, domain_names
from modules.edge import Certificates, HostedZone
from modules.edge.domain import CertificateRequest
from stacks.common import us_east_1_provider
from stacks.layers.context import EnvironmentContext


@dataclass(frozen=True)
class DomainOutputs:
    """The zone, the environment's names and the validated certificates (None where not issued)."""

    zone_id: str
    names: DomainNames
    name_servers: list[str]
    """The zone's name servers (the parent domain must delegate to them; a created zone's are new)."""
    alb_certificate_arn: str | None
    cloudfront_certificate_arn: str | None


def domain_layer(scope: Construct, *, env: EnvironmentContext) -> DomainOutputs | None:
    """Zone and certificates when `[domain]` is enabled, else None.

    The regional certificate covers every name of the environment (CloudFront forwards the viewer's Host to the
    ALB, so the app names must be on it too); the us-east-1 one covers the distribution's names.
    """
    config = env.config
    if not config.domain.enabled:
        return None
    names = domain_names(config.domain, config.name, cdn=config.cdn.enabled)
    zone = HostedZone(
        scope,
        "dns_zone",
        zone=names.zone,
        create=config.domain.create_zone,
        protected=config.protected,
        comment=f"{env.project.name} public zone",
    )
    requests = []
    if config.load_balancer is not None and names.api is not None:
        requests.append(CertificateRequest("alb", names.all))
    if names.distribution_names:
        provider = us_east_1_provider(scope, project=env.project, environment=config)
        requests.append(CertificateRequest("cloudfront", names.distribution_names, provider))
    certificates = Certificates(scope, "certificates", zone_id=zone.zone_id, requests=requests, tags={})
    return DomainOutputs(
        zone_id=zone.zone_id,
        names=names,
        name_servers=zone.name_servers,
        alb_certificate_arn=certificates.validated_arns.get("alb"),
        cloudfront_certificate_arn=certificates.validated_arns.get("cloudfront"),
    )
