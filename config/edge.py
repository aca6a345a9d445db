"""Edge settings: the Route53 zone and per-environment names (`[domain]`), and the SPA's CloudFront CDN (`[cdn]`).

Names come from label patterns: `{suffix}` is `-{env}` outside prod and empty in prod (seed 003/004:
`api-dev.example.jp`, `app-dev.example.jp`, `api.example.jp`), `{env}` is the environment's name, and `@` is the
zone apex. The pure functions here (names, cross-key checks) are shared by validation and the stacks, so what
validation accepted is exactly what is synthesized.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError
from config.security import WafConfig

if TYPE_CHECKING:
    from config.models import EnvironmentConfig

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
"""One DNS label as Route53 and ACM take it for these records: lowercase letters, digits, inner hyphens."""

MIN_LABELS = 2
"""A zone's name and its top-level domain at least."""

MAX_NAME = 253
"""Longest DNS name, without the trailing dot."""

SPA_DEFAULT_PATTERNS = frozenset({"*", "/*", "/", "/index.html"})
"""Patterns that are (or would take the requests of) the SPA's default behaviour and its `/index.html` fallback."""

PathPattern = Annotated[str, Field(pattern=r"^/[A-Za-z0-9_\-.*$/~\"'@:+&?=]{0,254}$")]
"""A CloudFront path pattern such as `/api/*` (leading slash, at most 255 characters)."""

OriginHeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,40}$")]
"""The name of the secret origin header (letters, digits and dashes)."""


def dns_name_problem(name: str) -> str | None:
    """Why `name` is not a DNS name these records can use, or None."""
    if len(name) > MAX_NAME:
        return f"'{name}' is {len(name)} characters; a DNS name has at most {MAX_NAME}"
    labels = name.split(".")
    for label in labels:
        if not LABEL.match(label):
            return (
                f"'{name}' is not a valid DNS name: label '{label}' must be 1-63 lowercase letters, digits or "
                "hyphens, not starting or ending with a hyphen"
            )
    if len(labels) < MIN_LABELS:
        return f"'{name}' is not a DNS name for a zone: it needs at least two labels, e.g. example.jp"
    return None


class DomainConfig(ConfigModel):
    """A Route53 hosted zone and the environment's names in it, with ACM certificates validated through DNS."""

    enabled: bool = False
    """Create the names, certificates and alias records; off leaves DNS and TLS to `load_balancer.certificate_arn`."""
    zone: str = ""
    """The hosted zone's domain, e.g. `example.jp`."""
    create_zone: bool = False
    """Create the hosted zone; false looks up an existing public zone of that name (one zone shared by all
    environments is created by one of them, or outside this project)."""
    api: str = "api{suffix}"
    """Label of the ALB's name (`{suffix}`, `{env}` and `@` as described above); empty for no record."""
    app: str = "app{suffix}"
    """Label of the CloudFront distribution's name (used when `[cdn]` is enabled); empty for none."""
    www: bool = False
    """Also answer at `www.<zone>` (typically prod only): the distribution with `[cdn]`, else the ALB (seed 004)."""

    @model_validator(mode="after")
    def _zone(self) -> DomainConfig:
        if self.enabled:
            problem = dns_name_problem(self.zone) if self.zone else "a domain needs its zone, e.g. zone = 'example.jp'"
            if problem is not None:
                raise FieldError("zone", problem)
        return self


class CdnLoggingConfig(ConfigModel):
    """CloudFront standard access logs in a dedicated bucket (SSE-S3; legacy log delivery writes through ACLs)."""

    enabled: bool = True
    """Deliver standard logs; off creates no log bucket."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Days after which log objects expire."""
    force_destroy: bool = False
    """Let `terraform destroy` empty the log bucket."""


class CdnConfig(ConfigModel):
    """A private S3 bucket for the SPA served by CloudFront (OAC), optionally routing API paths to the ALB."""

    enabled: bool = False
    """Create the SPA bucket, the distribution and their logs."""
    versioning: bool = True
    """Version the SPA bucket (seed 002 turns it off); noncurrent versions expire after `noncurrent_days`."""
    noncurrent_days: int = Field(default=30, ge=1, le=3650)
    """Days after which a replaced or deleted SPA object version is removed."""
    force_destroy: bool = False
    """Let `terraform destroy` empty the SPA bucket (its content is a build artefact CI can upload again)."""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_200"
    """Edge locations used: 100 = North America and Europe, 200 adds Asia (Japan) and more, All = every one."""
    api_paths: tuple[PathPattern, ...] = ()
    """Paths CloudFront sends to the ALB (HTTPS only, not cached, all methods and viewer headers), e.g. ["/api/*"];
    the ALB then answers only requests carrying the secret origin header."""
    origin_header: OriginHeaderName = "X-Origin-Verify"
    """Name of the secret header CloudFront adds to requests to the ALB."""
    origin_secret_version: int = Field(default=1, ge=1, le=2**53 - 1)
    """Bump to generate a new origin secret on the next apply (CloudFront and the ALB switch in the same apply)."""
    waf: WafConfig = WafConfig(enabled=False)
    """A CLOUDFRONT-scope web ACL (created in us-east-1) on the distribution."""
    logging: CdnLoggingConfig = CdnLoggingConfig()
    """Standard access logs."""

    @model_validator(mode="after")
    def _paths(self) -> CdnConfig:
        seen: set[str] = set()
        for index, pattern in enumerate(self.api_paths):
            if pattern in SPA_DEFAULT_PATTERNS:
                raise FieldError(
                    f"api_paths[{index}]",
                    f"'{pattern}' collides with the SPA's default behaviour (everything else, and /index.html for "
                    "client-side routing); route a prefix instead, e.g. '/api/*'",
                )
            if pattern in seen:
                raise FieldError(f"api_paths[{index}]", f"'{pattern}' is listed twice")
            seen.add(pattern)
        return self


@dataclass(frozen=True)
class DomainNames:
    """The fully qualified names of one environment; None where no record is made."""

    zone: str
    api: str | None
    app: str | None
    www: str | None
    www_on_alb: bool = False
    """`www` names the ALB (no CDN in the environment) rather than the distribution."""

    @property
    def distribution_names(self) -> tuple[str, ...]:
        """The names the distribution answers to (its aliases)."""
        return tuple(name for name in (self.app, None if self.www_on_alb else self.www) if name)

    @property
    def alb_names(self) -> tuple[str, ...]:
        """The names with an alias record to the ALB: the api name, and www when there is no CDN."""
        return tuple(name for name in (self.api, self.www if self.www_on_alb else None) if name)

    @property
    def all(self) -> tuple[str, ...]:
        """Every name, api first."""
        return tuple(name for name in (self.api, self.app, self.www) if name)


def _expand(label: str, zone: str, environment: str) -> str | None:
    if not label:
        return None
    if label == "@":
        return zone
    suffix = "" if environment == "prod" else f"-{environment}"
    return f"{label.replace('{suffix}', suffix).replace('{env}', environment)}.{zone}"


def domain_names(domain: DomainConfig, environment: str, *, cdn: bool) -> DomainNames:
    """The names of `environment` in `domain`: the app name only with the CDN; www on the distribution with the
    CDN, else on the ALB next to the api name (none when there is neither)."""
    api = _expand(domain.api, domain.zone, environment)
    www = f"www.{domain.zone}" if domain.www and (cdn or api is not None) else None
    return DomainNames(
        zone=domain.zone,
        api=api,
        app=_expand(domain.app, domain.zone, environment) if cdn else None,
        www=www,
        www_on_alb=www is not None and not cdn,
    )


def check_edge(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """Cross-key problems of `[domain]`, `[cdn]`, `[load_balancer]` and `security.alb_ingress`."""
    domain, cdn, load_balancer = environment.domain, environment.cdn, environment.load_balancer
    names: DomainNames | None = None
    if domain.enabled:
        names = domain_names(domain, environment.name, cdn=cdn.enabled)
        claimed: dict[str, str] = {}
        for key, name in (("domain.api", names.api), ("domain.app", names.app), ("domain.www", names.www)):
            if name is None:
                continue
            problem = dns_name_problem(name)
            if problem is not None:
                yield key, problem
            elif name in claimed:
                yield key, f"'{name}' is also the name of {claimed[name]}; two records cannot share one name"
            claimed.setdefault(name, key)
    if load_balancer is not None:
        with_domain = domain.enabled and names is not None and names.api is not None
        if load_balancer.certificate_arn is None and not with_domain:
            yield (
                "load_balancer.certificate_arn",
                "the HTTPS listener needs a certificate: set certificate_arn, or enable [domain] with an api name "
                "so its ACM certificate is used",
            )
        elif load_balancer.certificate_arn is not None and with_domain:
            yield (
                "load_balancer.certificate_arn",
                "[domain] issues the ALB's certificate; remove certificate_arn (keep it only without a domain)",
            )
    if cdn.enabled and cdn.api_paths:
        if load_balancer is None:
            yield "cdn.api_paths", "routes to the ALB, but this environment has no [load_balancer]"
        if names is None or names.api is None:
            yield (
                "cdn.api_paths",
                "CloudFront reaches the ALB by the api name (its certificate must match), so enable [domain] with "
                "a non-empty domain.api",
            )
        if environment.security.alb_ingress != "cloudfront":
            yield (
                "security.alb_ingress",
                "'internet', but CloudFront fronts the ALB (cdn.api_paths): set 'cloudfront' so 443 accepts only "
                "CloudFront's origin-facing addresses",
            )


def check_edge_across(environments: Sequence[EnvironmentConfig]) -> Iterator[tuple[str, str, str]]:
    """Names two environments would both create a record for, and a zone two environments would both create,
    as (environment, key, message)."""
    claimed: dict[str, tuple[str, str]] = {}
    creators: dict[str, str] = {}
    for environment in environments:
        domain = environment.domain
        if not domain.enabled:
            continue
        if domain.create_zone:
            if domain.zone in creators:
                yield (
                    environment.name,
                    "domain.create_zone",
                    f"{creators[domain.zone]} already creates the zone '{domain.zone}'; a second one would be a "
                    "separate zone with its own name servers: set create_zone = false here to look it up",
                )
            creators.setdefault(domain.zone, environment.name)
        names = domain_names(domain, environment.name, cdn=environment.cdn.enabled)
        for key, name in (("domain.api", names.api), ("domain.app", names.app), ("domain.www", names.www)):
            if name is None:
                continue
            if name in claimed and claimed[name][0] != environment.name:
                other, other_key = claimed[name]
                yield (
                    environment.name,
                    key,
                    f"'{name}' is also {other}'s {other_key}; two records cannot share one name (use {{suffix}} or "
                    "{env} in the label)",
                )
            claimed.setdefault(name, (environment.name, key))


def fronted_by_cloudfront(environment: EnvironmentConfig) -> bool:
    """Whether this environment's CloudFront distribution sends requests to the ALB."""
    return environment.cdn.enabled and bool(environment.cdn.api_paths)
