"""Route53: the hosted zone (created or looked up), ACM certificates validated through it, and alias records."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_record import Route53Record, Route53RecordAlias
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone
from constructs import Construct

from modules.protection import stateful

VALIDATION_TTL = 300


def name_id(name: str) -> str:
    """A DNS name as a construct id: `api-dev.example.jp` -> `api_dev_example_jp`."""
    return re.sub(r"[^a-z0-9]", "_", name.lower())


class HostedZone(Construct):
    """A public hosted zone: created (`create=True`; delegate the domain to its `name_servers`) or looked up by name."""

    def __init__(
        self, scope: Construct, id_: str, *, zone: str, create: bool, protected: bool, comment: str = ""
    ) -> None:
        super().__init__(scope, id_)
        self.created = create
        if create:
            created = Route53Zone(
                self, "zone", name=zone, comment=comment or None, lifecycle=stateful(protected=protected)
            )
            self.zone_id = created.zone_id
            self.name_servers = created.name_servers
        else:
            found = DataAwsRoute53Zone(self, "zone", name=zone, private_zone=False)
            self.zone_id = found.zone_id
            self.name_servers = found.name_servers


@dataclass(frozen=True)
class CertificateRequest:
    """One certificate to issue: its names (the first is the subject) and the provider of its region."""

    key: str
    names: tuple[str, ...]
    provider: TerraformProvider | None = None


class Certificates(Construct):
    """ACM certificates with DNS validation in one zone, one validation record per distinct name.

    ACM asks for the same CNAME for a name in every region of an account, so a name on both the regional and the
    us-east-1 certificate gets one record (from the first certificate naming it) that validates both; two records
    would fight over one name. Certificates are replaced before they are destroyed, so a listener or distribution
    always holds one; `validated_arns` are the validation resources' ARNs, usable once the certificate is ISSUED.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        zone_id: str,
        requests: Sequence[CertificateRequest],
        tags: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id_)
        records: dict[str, Route53Record] = {}
        self.validated_arns: dict[str, str] = {}
        for request in requests:
            subject, *alternatives = request.names
            certificate = AcmCertificate(
                self,
                request.key,
                domain_name=subject,
                subject_alternative_names=alternatives or None,
                validation_method="DNS",
                key_algorithm="RSA_2048",
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
                tags={"Name": subject, **tags},
                provider=request.provider,
            )
            address = f"{certificate.terraform_resource_type}.{certificate.friendly_unique_id}"
            for name in request.names:
                if name in records:
                    continue
                option = f'[for o in {address}.domain_validation_options : o.%s if o.domain_name == "{name}"]'
                records[name] = Route53Record(
                    self,
                    f"validation_{name_id(name)}",
                    zone_id=zone_id,
                    name=f"${{one({option % 'resource_record_name'})}}",
                    type=f"${{one({option % 'resource_record_type'})}}",
                    records=[f"${{one({option % 'resource_record_value'})}}"],
                    ttl=VALIDATION_TTL,
                    # a record left by an earlier certificate for the same name has the same value
                    allow_overwrite=True,
                )
            validation = AcmCertificateValidation(
                self,
                f"{request.key}_validation",
                certificate_arn=certificate.arn,
                validation_record_fqdns=[records[name].fqdn for name in request.names],
                provider=request.provider,
            )
            self.validated_arns[request.key] = validation.certificate_arn


@dataclass(frozen=True)
class AliasTarget:
    """What an alias record points at: a DNS name in a hosted zone (ALB, CloudFront) and the record types."""

    dns_name: str
    zone_id: str
    types: tuple[str, ...]


def alias_records(scope: Construct, *, zone_id: str, records: Mapping[str, AliasTarget]) -> dict[str, str]:
    """Alias records, one per name and type; returns the FQDN per name."""
    fqdns: dict[str, str] = {}
    for name, target in records.items():
        for record_type in target.types:
            record = Route53Record(
                scope,
                f"{name_id(name)}_{record_type.lower()}",
                zone_id=zone_id,
                name=name,
                type=record_type,
                alias=Route53RecordAlias(name=target.dns_name, zone_id=target.zone_id, evaluate_target_health=False),
            )
            fqdns[name] = record.fqdn
    return fqdns
