"""Top-level config objects: the project, the state backend, and one merged config per environment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import AccountId, ConfigModel, FieldError, Name, Region, RoleArn
from config.cache import CacheConfig
from config.compute import ComputeConfig
from config.database import DatabaseConfig
from config.load_balancer import LoadBalancerConfig
from config.names import bucket_name_problem
from config.network import NetworkConfig
from config.registry import RegistryConfig
from config.security import SecurityConfig
from config.services import ServiceConfig, ServiceName

ENVIRONMENT_NAMES = ("dev", "stg", "prod")
"""The environments a platform may declare, in promotion (and apply) order."""

EnvironmentName = Literal["dev", "stg", "prod"]

RESERVED_TAGS = ("Project", "Environment", "ManagedBy")
"""Tags the generator sets itself on every resource."""

BucketName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
"""An S3 bucket name (the rules beyond this pattern are checked by `config.names.bucket_name_problem`)."""

TagKey = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\w\s.:/=+@-]+$")]
"""A tag key: letters, digits, spaces and _ . : / = + - @ (what every taggable AWS service accepts)."""

TagValue = Annotated[str, Field(max_length=256, pattern=r"^[\w\s.:/=+@-]*$")]
"""A tag value: as a key, possibly empty."""

TableName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
"""A DynamoDB table name."""


class ProjectConfig(ConfigModel):
    """Project-wide identity: the name prefix of every resource, the home region and the cost tags."""

    name: Name
    region: Region = "ap-northeast-1"
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_reserved_tags(self) -> ProjectConfig:
        for key in self.tags:
            if key.lower().startswith("aws:"):
                raise FieldError(f"tags.{key}", "tag keys starting with 'aws:' are reserved for AWS's own tags")
            if key in RESERVED_TAGS:
                raise FieldError(
                    f"tags.{key}",
                    f"'{key}' is set by the generator on every resource; reserved tags: {', '.join(RESERVED_TAGS)}",
                )
        return self


class BackendConfig(ConfigModel):
    """Where Terraform keeps state: an S3 bucket, a lock, and optionally a role to reach them."""

    bucket: BucketName
    lock_table: TableName
    region: Region
    role_arn: RoleArn | None = None
    locking: Literal["dynamodb", "lockfile", "both"] = "dynamodb"

    @model_validator(mode="after")
    def _bucket_name(self) -> BackendConfig:
        problem = bucket_name_problem(self.bucket)
        if problem is not None:
            raise FieldError("bucket", problem)
        return self

    @property
    def uses_dynamodb(self) -> bool:
        """Whether the DynamoDB lock table is part of the locking scheme."""
        return self.locking in ("dynamodb", "both")

    @property
    def uses_lockfile(self) -> bool:
        """Whether S3 native locking (`use_lockfile`, Terraform >= 1.10) is on."""
        return self.locking in ("lockfile", "both")


class EnvironmentConfig(ConfigModel):
    """Everything one environment deploys: defaults deep-merged with `[environments.<name>]`."""

    name: EnvironmentName
    account_id: AccountId | None = None
    deploy_role_arn: RoleArn | None = None
    backend: BackendConfig
    network: NetworkConfig
    security: SecurityConfig = SecurityConfig()
    database: DatabaseConfig = DatabaseConfig(enabled=False)
    cache: CacheConfig = CacheConfig(enabled=False)
    registry: RegistryConfig = RegistryConfig()
    load_balancer: LoadBalancerConfig | None = None
    compute: ComputeConfig = ComputeConfig()
    services: dict[ServiceName, ServiceConfig] = Field(default_factory=dict)

    @property
    def enabled_services(self) -> dict[str, ServiceConfig]:
        """The services this environment runs, by name in sorted order."""
        return {name: service for name, service in sorted(self.services.items()) if service.enabled}


class PlatformConfig(ConfigModel):
    """The whole platform: the project and its environments in promotion order."""

    source: str
    project: ProjectConfig
    backend: BackendConfig
    environments: tuple[EnvironmentConfig, ...]

    def environment(self, name: str) -> EnvironmentConfig:
        """The environment called `name`; KeyError if the config does not declare it."""
        for environment in self.environments:
            if environment.name == name:
                return environment
        raise KeyError(name)

    @property
    def environment_names(self) -> tuple[str, ...]:
        """Declared environment names in promotion order."""
        return tuple(environment.name for environment in self.environments)
