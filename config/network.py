"""Network settings: VPC CIDR, subnet tiers over the AZs, NAT mode, endpoints and flow logs."""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention

Cidr = Annotated[IPv4Network, Field(strict=False)]
"""An IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/16."""

InterfaceEndpoint = Literal[
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "ssm",
    "ssmmessages",
    "ec2messages",
    "kms",
    "sts",
    "monitoring",
    "sqs",
    "sns",
    "elasticloadbalancing",
    "execute-api",
    "events",
    "xray",
]
"""AWS services the network can reach privately through an interface endpoint."""

GatewayEndpoint = Literal["s3", "dynamodb"]
"""AWS services reached through a (free) gateway endpoint on the private route tables."""

TIERS = ("public", "private", "database")
"""Subnet tiers, in the order their CIDRs are carved out of the VPC."""


class FlowLogsConfig(ConfigModel):
    """VPC flow logs delivered to CloudWatch Logs."""

    enabled: bool = True
    retention_days: int = 30
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"

    @model_validator(mode="after")
    def _retention_is_allowed(self) -> FlowLogsConfig:
        check_log_retention(self.retention_days, "retention_days")
        return self


class NetworkConfig(ConfigModel):
    """One VPC with public, private (app) and database subnets in every configured AZ."""

    cidr: Cidr
    azs: tuple[Annotated[str, Field(pattern=r"^[a-z]$")], ...] = ("a", "c")
    subnet_newbits: int = Field(default=4, ge=1, le=12)
    public_subnets: tuple[Cidr, ...] | None = None
    private_subnets: tuple[Cidr, ...] | None = None
    database_subnets: tuple[Cidr, ...] | None = None
    nat: Literal["none", "single", "per_az"] = "single"
    gateway_endpoints: tuple[GatewayEndpoint, ...] = ("s3", "dynamodb")
    interface_endpoints: tuple[InterfaceEndpoint, ...] = (
        "ecr.api",
        "ecr.dkr",
        "logs",
        "secretsmanager",
        "ssm",
        "ssmmessages",
        "ec2messages",
    )
    flow_logs: FlowLogsConfig = FlowLogsConfig()

    @model_validator(mode="after")
    def _subnets_fit(self) -> NetworkConfig:
        if not 16 <= self.cidr.prefixlen <= 24:
            raise FieldError(
                "cidr",
                f"{self.cidr} must have a prefix between /16 and /24 (AWS allows /16-/28 "
                "and every tier needs room for subnets)",
            )
        if len(set(self.azs)) != len(self.azs):
            raise FieldError("azs", f"{list(self.azs)} lists an AZ twice")
        if not self.azs:
            raise FieldError("azs", "at least one AZ is required")
        for endpoints, key in (
            (self.gateway_endpoints, "gateway_endpoints"),
            (self.interface_endpoints, "interface_endpoints"),
        ):
            if len(set(endpoints)) != len(endpoints):
                raise FieldError(key, f"{list(endpoints)} lists a service twice")
        explicit = {tier: getattr(self, f"{tier}_subnets") for tier in TIERS}
        if any(value is None for value in explicit.values()):
            if any(value is not None for value in explicit.values()):
                raise FieldError(
                    "public_subnets",
                    "give public_subnets, private_subnets and database_subnets "
                    "together, or none of them to derive all from subnet_newbits",
                )
            self._check_derived_fit()
        else:
            self._check_explicit_fit()
        return self

    def _check_derived_fit(self) -> None:
        needed = len(TIERS) * len(self.azs)
        available = 2**self.subnet_newbits
        if needed > available:
            raise FieldError(
                "azs",
                f"{len(self.azs)} AZs need {needed} subnets ({len(TIERS)} tiers), but "
                f"subnet_newbits = {self.subnet_newbits} splits {self.cidr} into only "
                f"{available}; use fewer AZs or raise subnet_newbits",
            )
        if self.cidr.prefixlen + self.subnet_newbits > 28:
            raise FieldError(
                "subnet_newbits",
                f"{self.cidr} split by {self.subnet_newbits} bits gives subnets "
                f"smaller than /28, the smallest AWS allows",
            )

    def _check_explicit_fit(self) -> None:
        seen: list[tuple[str, IPv4Network]] = []
        for tier in TIERS:
            key = f"{tier}_subnets"
            subnets = getattr(self, key)
            if len(subnets) != len(self.azs):
                raise FieldError(
                    key,
                    f"has {len(subnets)} subnets but there are {len(self.azs)} AZs "
                    f"({', '.join(self.azs)}); give exactly one per AZ",
                )
            for index, subnet in enumerate(subnets):
                where = f"{key}[{index}]"
                if not subnet.subnet_of(self.cidr):
                    raise FieldError(where, f"{subnet} does not fit in the VPC CIDR {self.cidr}")
                if subnet.prefixlen > 28:
                    raise FieldError(where, f"{subnet} is smaller than /28, the smallest subnet AWS allows")
                for other_where, other in seen:
                    if subnet.overlaps(other):
                        raise FieldError(where, f"{subnet} overlaps {other_where} ({other})")
                seen.append((where, subnet))

    def subnet_cidrs(self, tier: str) -> tuple[str, ...]:
        """The CIDRs of one tier, one per AZ, in AZ order (`cidrsubnet(cidr, newbits, tier*azs + i)`)."""
        explicit = getattr(self, f"{tier}_subnets")
        if explicit is not None:
            return tuple(str(subnet) for subnet in explicit)
        blocks = list(self.cidr.subnets(new_prefix=self.cidr.prefixlen + self.subnet_newbits))
        offset = TIERS.index(tier) * len(self.azs)
        return tuple(str(blocks[offset + index]) for index in range(len(self.azs)))
