"""Email settings: an SES domain identity with DKIM, a configuration set and a custom MAIL FROM domain."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError

DomainName = Annotated[
    str, Field(min_length=4, max_length=253, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
]
"""A lowercase DNS domain name such as acme.example."""

Label = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
"""One DNS label (no dots)."""

LocalPart = Annotated[str, Field(pattern=r"^[A-Za-z0-9._+-]{1,64}$")]
"""The part of an address before the @."""


class EmailConfig(ConfigModel):
    """Outgoing email through SES from this environment's domain; Cognito sends through it when it is on."""

    enabled: bool = False
    """Create the SES domain identity (and its DNS records in the Route53 zone)."""
    domain: DomainName | None = None
    """The domain mail is sent from; one SES identity per account and region, so two environments in one
    account need different domains (e.g. stg.acme.example)."""
    zone_name: DomainName | None = None
    """Public Route53 zone the DKIM and MAIL FROM records go in; default `domain`. A parent zone works for a
    subdomain (stg.acme.example in acme.example)."""
    dkim: bool = True
    """Publish the three Easy DKIM CNAME records (SES verifies the domain through them)."""
    configuration_set: bool = True
    """A configuration set (TLS required, reputation metrics, bounces and complaints suppressed) for every send."""
    mail_from_subdomain: Label | None = "mail"
    """Custom MAIL FROM `<subdomain>.<domain>` (MX + SPF records), so SPF aligns for DMARC; unset uses
    amazonses.com."""
    from_address: LocalPart = "no-reply"
    """Local part of the sender address other parts (Cognito) use: `<from_address>@<domain>`."""

    @model_validator(mode="after")
    def _domain(self) -> EmailConfig:
        if self.enabled and self.domain is None:
            raise FieldError("domain", "is required when email is enabled: the domain SES sends from")
        zone = self.zone_name or self.domain
        if (
            self.domain is not None
            and zone is not None
            and not (self.domain == zone or self.domain.endswith(f".{zone}"))
        ):
            raise FieldError("zone_name", f"{zone} cannot hold records of {self.domain}; give the domain or a parent")
        return self

    @property
    def hosted_zone(self) -> str | None:
        """The zone the records go in."""
        return self.zone_name or self.domain

    @property
    def sender(self) -> str | None:
        """The sender address other parts use."""
        return f"{self.from_address}@{self.domain}" if self.domain is not None else None
