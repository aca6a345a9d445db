"""Top-level config objects: the project, the state backend, and one merged config per environment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.api import ApiConfig
from config.base import AccountId, ConfigModel, FieldError, Name, Region, RoleArn
from config.bastion import BastionConfig
from config.batch import BatchConfig
from config.cache import CacheConfig
from config.compute import ComputeConfig
from config.cost import CostConfig
from config.database import DatabaseConfig
from config.delivery import DeliveryConfig
from config.edge import CdnConfig, DomainConfig
from config.email import EmailConfig
from config.identity import AuthConfig
from config.load_balancer import LoadBalancerConfig
from config.monitoring import AuditConfig, MonitoringConfig
from config.names import bucket_name_problem
from config.network import NetworkConfig
from config.registry import RegistryConfig
from config.security import SecurityConfig
from config.services import ServiceConfig, ServiceName
from config.storage import BucketConfig, QueueConfig, StorageKey

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

StateLayout = Literal["per_environment", "per_layer"]
"""One Terraform state per environment (stack `{env}`), or one per layer (stacks `{env}-{layer}`, seed 004)."""

TableName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
"""A DynamoDB table name."""


class ProjectConfig(ConfigModel):
    """Project-wide identity: the name prefix of every resource, the home region and the cost tags."""

    name: Name
    region: Region = "ap-northeast-1"
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)
    state: StateLayout = "per_environment"
    """How every environment keeps its Terraform state, unless `[environments.<env>] state` says otherwise."""
    medical: bool = False
    """The platform handles medical information (seed 003: Japanese medical-information guidelines): every
    environment gets the audit settings of config/medical.py and refuses weaker ones."""

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
    """Where Terraform keeps state: an S3 bucket, a lock, and optionally a role to reach them.

    `account_id` is the account that holds bucket, table and state key (the bootstrap stack refuses any other);
    without it, the account of `role_arn`. When neither is set, state objects name their key by alias only,
    which S3 resolves in the account of the principal writing state (the bucket's, since its policy admits no
    other account).
    """

    bucket: BucketName
    lock_table: TableName
    region: Region
    account_id: AccountId | None = None
    role_arn: RoleArn | None = None
    locking: Literal["dynamodb", "lockfile", "both"] = "dynamodb"

    @model_validator(mode="after")
    def _role_in_backend_account(self) -> BackendConfig:
        if self.account_id and self.role_arn and self._role_account != self.account_id:
            raise FieldError(
                "role_arn",
                f"role is in account {self._role_account} but the backend's account_id is {self.account_id}; "
                "bootstrap creates bucket, table and key in the role's account, so they must match",
            )
        return self

    @property
    def _role_account(self) -> str | None:
        return self.role_arn.split(":")[4] if self.role_arn else None

    @property
    def state_account_id(self) -> str | None:
        """The account holding bucket, table and state key, when the config says (`account_id`, `role_arn`)."""
        return self.account_id or self._role_account

    @property
    def partition(self) -> str:
        """The ARN partition of the backend: from `role_arn`, else from the region (aws-cn, aws-us-gov, ... aws)."""
        if self.role_arn:
            return self.role_arn.split(":")[1]
        for marker, partition in (("-gov-", "aws-us-gov"), ("-isob-", "aws-iso-b"), ("-iso-", "aws-iso")):
            if marker in self.region:
                return partition
        return "aws-cn" if self.region.startswith("cn-") else "aws"

    @property
    def state_key_alias(self) -> str:
        """`alias/<bucket>-state`, the alias of the CMK the bootstrap stack creates for this backend.

        KMS aliases allow letters, digits, `/`, `_` and `-` only, so the bucket name's dots become dashes.
        """
        return f"alias/{self.bucket.replace('.', '-')}-state"

    @property
    def state_kms_key_id(self) -> str:
        """What the S3 backend passes as `kms_key_id`: the alias ARN when the account is known, else the alias."""
        account = self.state_account_id
        if account is None:
            return self.state_key_alias
        return f"arn:{self.partition}:kms:{self.region}:{account}:{self.state_key_alias}"

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


UnprotectedSetting = Literal[
    "database.deletion_protection",
    "database.skip_final_snapshot",
    "database.backup_retention_days",
    "load_balancer.deletion_protection",
    "security.secret_recovery_days",
]
"""Settings a protected environment refuses in their unsafe form unless `protection.allow` lists them."""


class ProtectionConfig(ConfigModel):
    """Whether the environment's stateful resources are guarded against deletion, and acknowledged exceptions."""

    enabled: bool | None = None
    """`prevent_destroy` on the database, the CMK and Redis, Redis final snapshots, and the unsafe-settings checks;
    unset means on for prod and off elsewhere."""
    allow: tuple[UnprotectedSetting, ...] = ()
    """Unsafe settings this protected environment accepts on purpose, by key (e.g. "database.skip_final_snapshot")."""


class EnvironmentConfig(ConfigModel):
    """Everything one environment deploys: defaults deep-merged with `[environments.<name>]`."""

    name: EnvironmentName
    account_id: AccountId | None = None
    deploy_role_arn: RoleArn | None = None
    state: StateLayout | None = None
    """This environment's state layout; unset means `[project] state`."""
    backend: BackendConfig
    network: NetworkConfig
    security: SecurityConfig = SecurityConfig()
    database: DatabaseConfig = DatabaseConfig(enabled=False)
    cache: CacheConfig = CacheConfig(enabled=False)
    registry: RegistryConfig = RegistryConfig()
    load_balancer: LoadBalancerConfig | None = None
    compute: ComputeConfig = ComputeConfig()
    services: dict[ServiceName, ServiceConfig] = Field(default_factory=dict)
    protection: ProtectionConfig = ProtectionConfig()
    domain: DomainConfig = DomainConfig()
    cdn: CdnConfig = CdnConfig()
    storage: dict[StorageKey, BucketConfig] = Field(default_factory=dict)
    queues: dict[StorageKey, QueueConfig] = Field(default_factory=dict)
    batch: BatchConfig = BatchConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    audit: AuditConfig = AuditConfig()
    bastion: BastionConfig = BastionConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    email: EmailConfig = EmailConfig()
    auth: AuthConfig = AuthConfig()
    api: ApiConfig = ApiConfig()
    cost: CostConfig = CostConfig()
    """Usage assumptions of `python main.py cost` (no resource)."""

    @property
    def protected(self) -> bool:
        """Whether stateful resources carry `prevent_destroy` and unsafe settings are refused (default: prod only)."""
        enabled = self.protection.enabled
        return self.name == "prod" if enabled is None else enabled

    @property
    def enabled_services(self) -> dict[str, ServiceConfig]:
        """The services this environment runs, by name in sorted order."""
        return {name: service for name, service in sorted(self.services.items()) if service.enabled}

    @property
    def enabled_buckets(self) -> dict[str, BucketConfig]:
        """The application buckets of this environment, by key in sorted order."""
        return {key: bucket for key, bucket in sorted(self.storage.items()) if bucket.enabled}

    @property
    def enabled_queues(self) -> dict[str, QueueConfig]:
        """The SQS queues of this environment, by key in sorted order."""
        return {key: queue for key, queue in sorted(self.queues.items()) if queue.enabled}


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
