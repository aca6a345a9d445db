"""Shared pieces of every config model: strict, frozen, unknown keys rejected."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ConfigModel(BaseModel):
    """Base of every config section: frozen, typed strictly, and closed to unknown keys (typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: Any) -> Any:
        """TOML arrays (Python lists) become tuples, the frozen form strict validation expects."""
        if isinstance(data, dict):
            return {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
        return data


class FieldError(ValueError):
    """A validation failure that belongs to a sub-key of the model that raised it.

    Model validators check relations between fields; raising this instead of a bare ValueError lets the
    loader report the exact key (`network.public_subnets[1]`) rather than the enclosing section.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")]
"""A lowercase resource-name fragment: letters, digits and dashes, starting with a letter."""

Region = Annotated[str, Field(pattern=r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$")]
"""An AWS region code such as ap-northeast-1."""

AccountId = Annotated[str, Field(pattern=r"^[0-9]{12}$")]
"""A 12-digit AWS account id (a string, so leading zeros survive)."""

RoleArn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")]
"""An IAM role ARN."""

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The retention periods CloudWatch Logs accepts."""


def check_log_retention(days: int, key: str) -> None:
    """Reject a retention CloudWatch Logs would refuse at apply time."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(value) for value in LOG_RETENTION_DAYS)
        raise FieldError(key, f"{days} is not a CloudWatch Logs retention period; allowed: {allowed}")
