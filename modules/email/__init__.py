"""SES for outgoing mail: a domain identity with Easy DKIM, a configuration set and a custom MAIL FROM domain."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import Fn
from cdktf_cdktf_provider_aws.route53_record import Route53Record
from cdktf_cdktf_provider_aws.sesv2_configuration_set import (
    Sesv2ConfigurationSet,
    Sesv2ConfigurationSetDeliveryOptions,
    Sesv2ConfigurationSetReputationOptions,
    Sesv2ConfigurationSetSendingOptions,
    Sesv2ConfigurationSetSuppressionOptions,
)
from cdktf_cdktf_provider_aws.sesv2_email_identity import Sesv2EmailIdentity, Sesv2EmailIdentityDkimSigningAttributes
from cdktf_cdktf_provider_aws.sesv2_email_identity_mail_from_attributes import Sesv2EmailIdentityMailFromAttributes
from constructs import Construct

from config.email import EmailConfig

DKIM_TOKENS = 3
"""Easy DKIM always issues three tokens, each published as a CNAME."""

RECORD_TTL = 1800


class Email(Construct):
    """The SES identity of `config.domain` and its DNS records in the zone `zone_id`.

    DKIM records are `<token>._domainkey.<domain>` CNAMEs to `<token>.dkim.amazonses.com`; SES verifies the
    domain once they resolve. The MAIL FROM domain gets the MX to SES's feedback endpoint of `region` and an SPF
    record; if its MX is missing SES falls back to amazonses.com rather than rejecting mail. `_dmarc.<domain>`
    gets the DMARC policy (DKIM aligns with the domain, SPF with it through the MAIL FROM subdomain).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: EmailConfig,
        zone_id: str,
        region: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if config.domain is None:
            raise ValueError("Email needs config.domain")
        domain = config.domain
        self.configuration_set_name: str | None = None
        if config.configuration_set:
            configuration_set = Sesv2ConfigurationSet(
                self,
                "configuration_set",
                configuration_set_name=name,
                delivery_options=Sesv2ConfigurationSetDeliveryOptions(tls_policy="REQUIRE"),
                reputation_options=Sesv2ConfigurationSetReputationOptions(reputation_metrics_enabled=True),
                sending_options=Sesv2ConfigurationSetSendingOptions(sending_enabled=True),
                suppression_options=Sesv2ConfigurationSetSuppressionOptions(suppressed_reasons=["BOUNCE", "COMPLAINT"]),
                tags=dict(tags or {}),
            )
            self.configuration_set_name = configuration_set.configuration_set_name
        identity = Sesv2EmailIdentity(
            self,
            "identity",
            email_identity=domain,
            configuration_set_name=self.configuration_set_name,
            dkim_signing_attributes=Sesv2EmailIdentityDkimSigningAttributes(next_signing_key_length="RSA_2048_BIT"),
            tags=dict(tags or {}),
        )
        self.identity_arn = identity.arn
        self.domain = identity.email_identity
        """The identity's domain, as a reference to the identity (what a later layer waits on)."""
        if config.dkim:
            tokens = identity.dkim_signing_attributes.tokens
            for index in range(DKIM_TOKENS):
                token = Fn.element(tokens, index)
                Route53Record(
                    self,
                    f"dkim_{index}",
                    zone_id=zone_id,
                    name=f"{token}._domainkey.{domain}",
                    type="CNAME",
                    ttl=RECORD_TTL,
                    records=[f"{token}.dkim.amazonses.com"],
                )
        self.mail_from_domain: str | None = None
        if config.mail_from_subdomain is not None:
            mail_from = f"{config.mail_from_subdomain}.{domain}"
            self.mail_from_domain = mail_from
            Sesv2EmailIdentityMailFromAttributes(
                self,
                "mail_from",
                email_identity=identity.email_identity,
                mail_from_domain=mail_from,
                behavior_on_mx_failure="USE_DEFAULT_VALUE",
            )
            Route53Record(
                self,
                "mail_from_mx",
                zone_id=zone_id,
                name=mail_from,
                type="MX",
                ttl=RECORD_TTL,
                records=[f"10 feedback-smtp.{region}.amazonses.com"],
            )
            Route53Record(
                self,
                "mail_from_spf",
                zone_id=zone_id,
                name=mail_from,
                type="TXT",
                ttl=RECORD_TTL,
                records=["v=spf1 include:amazonses.com ~all"],
            )
        if config.dmarc:
            Route53Record(
                self,
                "dmarc",
                zone_id=zone_id,
                name=f"_dmarc.{domain}",
                type="TXT",
                ttl=RECORD_TTL,
                records=[config.dmarc_record],
            )
