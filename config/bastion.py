"""Bastion settings: the instance behind `security.bastion`, reached only through SSM Session Manager."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError

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

    @model_validator(mode="after")
    def _architecture(self) -> BastionConfig:
        arm_ami = "arm64" in self.ami_parameter
        if is_arm(self.instance_type) != arm_ami:
            wanted = "arm64" if is_arm(self.instance_type) else "x86_64"
            raise FieldError(
                "ami_parameter",
                f"{self.ami_parameter} is not an {wanted} image but {self.instance_type} needs one; "
                f"use /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{wanted}",
            )
        return self
