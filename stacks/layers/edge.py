"""Edge layer: the SPA bucket, CloudFront (with its WAF in us-east-1) and the alias records of the environment's
names. It comes after load balancing: CloudFront's API origin and the api record point at the ALB."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from config.edge import fronted_by_cloudfront
from modules.edge import AliasTarget, ApiOrigin, Cdn, alias_records, origin_secret_value
from modules.security import WebAcl
from stacks.common import us_east_1_provider
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.domain import DomainOutputs
from stacks.layers.load_balancing import LoadBalancingOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class EdgeOutputs:
    """The distribution and SPA bucket (None without `[cdn]`) and the environment's URLs."""

    distribution_id: str | None
    distribution_domain_name: str | None
    spa_bucket_name: str | None
    spa_bucket_arn: str | None
    distribution_arn: str | None
    cloudfront_web_acl_arn: str | None
    app_url: str | None
    api_url: str | None


def edge_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    domain: DomainOutputs | None,
    load_balancing: LoadBalancingOutputs | None,
) -> EdgeOutputs:
    """CloudFront and the alias records; what `[cdn]` and `[domain]` leave off is not created."""
    config = env.config
    cdn = None
    web_acl_arn = None
    if config.cdn.enabled:
        if config.cdn.waf.enabled:
            waf = WebAcl(
                scope,
                "cdn_waf",
                name=f"{env.prefix}-cdn",
                config=config.cdn.waf,
                alb_arn=None,
                scope_="CLOUDFRONT",
                provider=us_east_1_provider(scope, project=env.project, environment=config),
            )
            web_acl_arn = waf.web_acl_arn
        api = None
        if fronted_by_cloudfront(config):
            if load_balancing is None or load_balancing.origin_secret is None or domain is None:
                raise ValueError("cdn.api_paths needs the ALB, its origin secret and the api name (config checks)")
            assert domain.names.api is not None  # config.edge.check_edge
            secret = load_balancing.origin_secret
            api = ApiOrigin(
                domain_name=domain.names.api,
                paths=config.cdn.api_paths,
                header_name=config.cdn.origin_header,
                header_value=origin_secret_value(
                    scope, "cdn_origin_secret", secret_arn=secret.secret_arn, version_id=secret.version_id
                ),
            )
        cdn = Cdn(
            scope,
            "cdn",
            name=env.prefix,
            account_id=account.account_id,
            config=config.cdn,
            aliases=domain.names.distribution_names if domain is not None else (),
            certificate_arn=domain.cloudfront_certificate_arn if domain is not None else None,
            api=api,
            web_acl_arn=web_acl_arn,
        )

    app_url = f"https://{cdn.domain_name}" if cdn is not None else None
    api_url = None
    if domain is not None:
        records: dict[str, AliasTarget] = {}
        if domain.names.api is not None and load_balancing is not None:
            # the ALB is IPv4 only (ip_address_type = ipv4): an AAAA alias to it would answer with no address
            for name in domain.names.alb_names:
                records[name] = AliasTarget(load_balancing.alb_dns_name, load_balancing.alb_zone_id, ("A",))
            api_url = f"https://{domain.names.api}"
        if cdn is not None:
            for name in domain.names.distribution_names:
                records[name] = AliasTarget(cdn.domain_name, cdn.hosted_zone_id, ("A", "AAAA"))
            if domain.names.app is not None:
                app_url = f"https://{domain.names.app}"
        alias_records(Construct(scope, "dns_records"), zone_id=domain.zone_id, records=records)
    if fronted_by_cloudfront(config) and app_url is not None:
        api_url = app_url  # clients reach the API through CloudFront's api_paths; the api name is its origin
    return EdgeOutputs(
        distribution_id=cdn.distribution_id if cdn is not None else None,
        distribution_domain_name=cdn.domain_name if cdn is not None else None,
        spa_bucket_name=cdn.spa_bucket_name if cdn is not None else None,
        spa_bucket_arn=cdn.spa_bucket_arn if cdn is not None else None,
        distribution_arn=cdn.distribution_arn if cdn is not None else None,
        cloudfront_web_acl_arn=web_acl_arn,
        app_url=app_url,
        api_url=api_url,
    )


def edge_outputs(domain: DomainOutputs | None, edge: EdgeOutputs) -> list[StackOutput]:
    """Stack outputs of the domain and edge layers."""
    outputs = []
    if domain is not None:
        outputs.append(
            StackOutput(
                "domain",
                "dns_zone_name_servers",
                domain.name_servers,
                "Name servers of the hosted zone; the parent domain must delegate to them (new ones when created here)",
            )
        )
    if edge.distribution_id is not None:
        outputs += [
            StackOutput(
                "edge", "cloudfront_distribution_id", edge.distribution_id, "CloudFront distribution (invalidations)"
            ),
            StackOutput(
                "edge",
                "cloudfront_domain_name",
                edge.distribution_domain_name,
                "The distribution's *.cloudfront.net name",
            ),
            StackOutput("edge", "spa_bucket_name", edge.spa_bucket_name, "S3 bucket CI uploads the SPA build to"),
        ]
    if edge.cloudfront_web_acl_arn is not None:
        outputs.append(
            StackOutput(
                "edge", "cloudfront_waf_web_acl_arn", edge.cloudfront_web_acl_arn, "WAFv2 web ACL on CloudFront"
            )
        )
    if edge.app_url is not None:
        outputs.append(StackOutput("edge", "app_url", edge.app_url, "URL of the SPA"))
    if edge.api_url is not None:
        outputs.append(
            StackOutput(
                "edge", "api_url", edge.api_url, "Base URL of the API (the app's URL when CloudFront routes it)"
            )
        )
    return outputs
