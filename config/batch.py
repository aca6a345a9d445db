"""AWS Batch on Fargate (`[batch]`): one compute environment, the job queue `{env}_default`, job definitions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention
from config.services import FARGATE_SIZES, IMAGE_TAG_PATTERN, EnvVarName, SecretReference
from config.storage import BucketAccess, QueueAccess, StorageKey

JobKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
"""A job definition's config key; the definition is named `{env}_<key>_job` (seed 003: `{env}_fastapi_default_job`)."""


def batch_role_names(prefix: str, key: str) -> tuple[str, str]:
    """The execution role and the job role of one job definition (modules/batch)."""
    base = f"{prefix}-batch-{key.replace('_', '-')}"
    return f"{base}-execution", f"{base}-job"


FARGATE_VCPUS = {size / 1024: size for size in FARGATE_SIZES}
"""vCPU values Batch on Fargate accepts (0.25 .. 16) -> the CPU units of the same Fargate size."""


class BatchJobConfig(ConfigModel):
    """A container job definition run on the Fargate compute environment."""

    repository: str = Field(pattern=r"^[a-z][a-z0-9-]{0,20}$")
    """The ECR repository of the image: a service's or one of registry.extra_repositories."""
    image_tag: str | None = Field(default=None, pattern=IMAGE_TAG_PATTERN)
    """Tag the job definition runs (a new tag registers a new revision, which later submissions use). Unset: the
    tag of the service whose repository it names, pinned or the one CI deployed (`services.<name>.image_tag`)."""
    command: tuple[str, ...] = ()
    vcpu: float = 0.25
    memory: int = 512
    environment: dict[EnvVarName, str] = Field(default_factory=dict)
    secrets: dict[EnvVarName, SecretReference] = Field(default_factory=dict)
    """Variables the container reads from Secrets Manager or SSM when a job starts, as for services:
    `secret:<name>`, `ssm:<name>`, `db:username|password`, `redis:auth_token`. Only ARNs reach the definition."""
    timeout_seconds: int = Field(default=3600, ge=60, le=1209600)
    attempts: int = Field(default=1, ge=1, le=10)
    log_retention_days: int = 30
    buckets: dict[StorageKey, BucketAccess] = Field(default_factory=dict)
    """Application buckets the job may use, by key, and how (see `[storage.<name>]`)."""
    queues: dict[StorageKey, QueueAccess] = Field(default_factory=dict)
    """Queues the job may use, by key, and how (see `[queues.<name>]`)."""

    @model_validator(mode="after")
    def _fargate_size(self) -> BatchJobConfig:
        units = FARGATE_VCPUS.get(self.vcpu)
        if units is None:
            raise FieldError(
                "vcpu", f"{self.vcpu} is not a Fargate vCPU size; allowed: {', '.join(map(str, FARGATE_VCPUS))}"
            )
        if self.memory not in FARGATE_SIZES[units]:
            raise FieldError(
                "memory",
                f"Fargate does not run vcpu = {self.vcpu} with memory = {self.memory}; with vcpu = {self.vcpu} "
                f"memory must be one of {', '.join(map(str, FARGATE_SIZES[units]))}",
            )
        check_log_retention(self.log_retention_days, "log_retention_days")
        return self


class BatchConfig(ConfigModel):
    """AWS Batch in the private subnets (seed 003): off unless `enabled`."""

    enabled: bool = False
    capacity: Literal["FARGATE", "FARGATE_SPOT"] = "FARGATE"
    max_vcpus: int = Field(default=16, ge=1, le=10000)
    """Ceiling of vCPUs running at once across the compute environment."""
    data_access: tuple[Literal["database", "cache"], ...] = ()
    """Data stores the jobs may open connections to (their security-group rules)."""
    jobs: dict[JobKey, BatchJobConfig] = Field(default_factory=dict)
