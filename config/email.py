"""Email settings: an SES domain identity with DKIM, a configuration set and a custom MAIL FROM domain."""

from __future__ import annotations

from typing import Annotated, Literal

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

EmailAddress = Annotated[
    str,
    Field(
        max_length=254,
        pattern=r"^[A-Za-z0-9._+-]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    ),
]
"""A plain address `local@domain` (lowercase domain), e.g. no-reply@acme.example."""

DmarcPolicy = Literal["none", "quarantine", "reject"]
"""What receivers do with mail that fails DMARC: only report (none), spam folder (quarantine), refuse (reject)."""


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
    dmarc: bool = True
    """Publish the DMARC record `_dmarc.<domain>` (TXT). Turn it off when the domain already has one managed
    elsewhere: Terraform does not overwrite an existing record, the apply fails with "already exists"."""
    dmarc_policy: DmarcPolicy = "none"
    """The record's `p=`: start with `none` (reports only) and tighten once the reports show only SES and your
    other legitimate senders."""
    dmarc_report_address: EmailAddress | None = None
    """Where receivers send aggregate reports (`rua=mailto:`); an address outside `domain` must accept them with a
    `<domain>._report._dmarc.<its domain>` record."""

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
    def dmarc_record(self) -> str:
        """The DMARC TXT value, e.g. `v=DMARC1; p=none; rua=mailto:dmarc@acme.example`."""
        parts = ["v=DMARC1", f"p={self.dmarc_policy}"]
        if self.dmarc_report_address is not None:
            parts.append(f"rua=mailto:{self.dmarc_report_address}")
        return "; ".join(parts)

    @property
    def sender(self) -> str | None:
        """The sender address other parts use."""
        return f"{self.from_address}@{self.domain}" if self.domain is not None else None
