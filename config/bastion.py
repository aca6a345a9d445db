"""Bastion settings: the instance behind `security.bastion`, reached only through SSM Session Manager."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention

InstanceType = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]
"""An EC2 instance type such as t3.nano."""

AmiParameter = Annotated[str, Field(pattern=r"^/aws/service/[A-Za-z0-9_./-]+$")]
"""An AWS public SSM parameter that holds an AMI id."""

ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z-]*g")
"""Graviton (arm64) families: a `g` after the generation digit (t4g, m7g, c6gn, r7gd); g5 and g4dn are x86."""


def is_arm(instance_type: str) -> bool:
    """Whether `instance_type` runs arm64 (Graviton) rather than x86_64."""
    return ARM_FAMILY.match(instance_type.split(".", maxsplit=1)[0]) is not None


class BastionConfig(ConfigModel):
    """The bastion instance; it exists when `security.bastion` is on (which also creates its security group)."""

    instance_type: InstanceType = "t3.nano"
    """EC2 instance type; a Graviton type (t4g.nano) needs an arm64 `ami_parameter`."""
    ami_parameter: AmiParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    """Public SSM parameter holding the Amazon Linux AMI id (read at plan time; the instance keeps its AMI until
    replaced, see the README)."""
    session_logging: bool = False
    """Shell sessions started with the environment's session document `{project}-{env}-session` are streamed,
    KMS-encrypted, to the log group `/aws/ssm/{project}-{env}/sessions`, and their data channel is encrypted with
    the environment's CMK. Port forwarding sessions carry no transcript (Session Manager logs none)."""
    session_log_retention_days: int = 90
    """Retention of the session transcripts."""
    idle_session_timeout_minutes: int = Field(default=20, ge=1, le=60)
    """Minutes without input after which Session Manager ends a shell session."""
    max_session_duration_minutes: int | None = Field(default=None, ge=1, le=1440)
    """Longest a shell session may last, idle or not; unset: no limit besides the idle timeout."""

    @model_validator(mode="after")
    def _architecture(self) -> BastionConfig:
        check_log_retention(self.session_log_retention_days, "session_log_retention_days")
        arm_ami = "arm64" in self.ami_parameter
        if is_arm(self.instance_type) != arm_ami:
            wanted = "arm64" if is_arm(self.instance_type) else "x86_64"
            raise FieldError(
                "ami_parameter",
                f"{self.ami_parameter} is not an {wanted} image but {self.instance_type} needs one; "
                f"use /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{wanted}",
            )
        return self


RESERVED_DOCUMENT_PREFIXES = ("aws", "amazon", "amzn")
"""SSM refuses document names starting with these (case-insensitive)."""


def session_document_name(prefix: str) -> str:
    """The environment's Session Manager preferences document (a custom name: `SSM-SessionManagerRunShell` is one
    per account and Region, possibly created by the console, and would collide between environments)."""
    return f"{prefix}-session"


def session_log_group_name(prefix: str) -> str:
    """The log group that keeps the transcripts of the bastion's shell sessions."""
    return f"/aws/ssm/{prefix}/sessions"
