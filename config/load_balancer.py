"""Application Load Balancer settings: TLS, timeouts, protection, access logs and the blue/green test listener."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError

CertificateArn = Annotated[
    str,
    Field(pattern=r"^arn:aws[a-z-]*:acm:[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]:[0-9]{12}:certificate/[0-9a-f-]{36}$"),
]
"""An ACM certificate ARN in the ALB's region (arn:aws:acm:<region>:<account>:certificate/<uuid>)."""

SslPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
]
"""ALB security policies that refuse TLS 1.0 and 1.1; the TLS 1.3 + 1.2 policy of 2021-06 is AWS's recommendation."""

WEBSOCKET_IDLE_TIMEOUT = 3600
"""Idle timeout (s) used when any routed service speaks WebSocket and `idle_timeout` is unset: long-lived sockets."""

DEFAULT_IDLE_TIMEOUT = 60
"""Idle timeout (s) otherwise: the AWS default."""


class AccessLogsConfig(ConfigModel):
    """ALB access logs in a dedicated S3 bucket (SSE-S3: ALB log delivery does not support SSE-KMS)."""

    enabled: bool = True
    """Deliver access logs; off creates neither the bucket nor the ALB's access_logs block."""
    prefix: str = Field(default="alb", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    """Key prefix of the log objects inside the bucket (AWS forbids `AWSLogs` here)."""
    retention_days: int = Field(default=90, ge=1, le=3650)
    """Days after which log objects expire (lifecycle rule); noncurrent versions go 7 days later."""
    force_destroy: bool = False
    """Let `terraform destroy` empty the bucket; keep false wherever the logs are evidence (prod)."""


class LoadBalancerConfig(ConfigModel):
    """One internet-facing ALB per environment: HTTP->HTTPS redirect, an HTTPS listener and routing rules."""

    certificate_arn: CertificateArn | None = None
    """ACM certificate of the HTTPS listener when you bring your own; with `[domain]` enabled the ALB uses the
    certificate issued and DNS-validated for the environment's names instead (one of the two is required)."""
    additional_certificate_arns: tuple[CertificateArn, ...] = ()
    """Further certificates served by SNI on the HTTPS (and test) listener, e.g. for host-routed services."""
    ssl_policy: SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """TLS negotiation policy of the HTTPS listeners; only TLS 1.2+ policies are accepted."""
    idle_timeout: int | None = Field(default=None, ge=1, le=4000)
    """Connection idle timeout (s); unset means 3600 with a WebSocket service behind the ALB, 60 otherwise."""
    deletion_protection: bool = True
    """Refuse deletion of the ALB through the API; turn off in dev/stg to let `destroy` run."""
    drop_invalid_header_fields: bool = True
    """Drop HTTP headers with invalid names instead of forwarding them (request smuggling defence)."""
    http2: bool = True
    """Offer HTTP/2 to clients (gRPC target groups require it)."""
    desync_mitigation_mode: Literal["monitor", "defensive", "strictest"] = "defensive"
    """How the ALB treats requests that may be HTTP desync attacks."""
    test_listener_port: int = Field(default=8443, ge=1, le=65535)
    """HTTPS port of the test listener CodeDeploy uses to reach the green task set of blue/green services."""
    access_logs: AccessLogsConfig = AccessLogsConfig()
    """Access logs delivery and retention."""
    rule_quota: int = Field(default=100, ge=1, le=1000)
    """The account's "Rules per Application Load Balancer" quota (100 unless raised): listener rules of the HTTPS
    and test listeners together, default actions not counted; more rules are refused at config time."""

    @model_validator(mode="after")
    def _ports_differ(self) -> LoadBalancerConfig:
        if self.test_listener_port in (80, 443):
            raise FieldError(
                "test_listener_port",
                f"{self.test_listener_port} is already the HTTP (80) or HTTPS (443) listener; pick another, e.g. 8443",
            )
        if self.certificate_arn in self.additional_certificate_arns:
            raise FieldError(
                "additional_certificate_arns", "repeats certificate_arn; list only the extra SNI certificates"
            )
        return self
