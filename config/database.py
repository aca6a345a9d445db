"""Database settings: Aurora PostgreSQL Serverless v2 or an RDS PostgreSQL instance, backups, logging, protection."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention
from config.windows import DailyWindow, WeeklyWindow, check_windows

Engine = Literal["aurora-postgresql", "postgres"]
"""The database engine: an Aurora PostgreSQL Serverless v2 cluster, or a single (optionally multi-AZ) RDS instance."""

CATALOGUE_DATE = "2026-11-30"
"""When SUPPORTED_VERSIONS was last checked against AWS; named in every version error."""

SUPPORTED_VERSIONS: dict[str, tuple[str, ...]] = {
    # Versions AWS still lets you *create*, as of CATALOGUE_DATE. Sources: the RDS for PostgreSQL and Aurora
    # PostgreSQL release calendars and upgrade-target tables (docs.aws.amazon.com/AmazonRDS/latest/
    # PostgreSQLReleaseNotes/postgresql-release-calendar.html, .../AuroraPostgreSQLReleaseNotes/
    # aurora-postgresql-release-calendar.html, .../AuroraUserGuide/USER_UpgradeDBInstance.PostgreSQL.UpgradeVersion
    # .html), and AWS's end-of-standard-support notice for RDS for PostgreSQL 15.9-15.12, 16.5-16.8 and 17.1-17.4
    # (no new instances since 2026-05-01, forced upgrade after 2026-05-31 to 15.15 / 16.11 / 17.7 or higher).
    # Aurora minors live about a year; the ones below are those released from mid-2025 on. Older minors such as
    # 15.4, 16.1-16.8 and 17.4 are not offered for new clusters. Update the table (and CATALOGUE_DATE) when AWS
    # releases or retires a minor: `aws rds describe-db-engine-versions --engine <engine> --query
    # 'DBEngineVersions[].EngineVersion'`.
    "aurora-postgresql": (
        "15.13",
        "15.14",
        "16.9",
        "16.10",
        "17.5",
        "17.6",
        "17.7",
    ),
    "postgres": (
        "15",
        "15.13",
        "15.14",
        "15.15",
        "16",
        "16.9",
        "16.10",
        "16.11",
        "17",
        "17.5",
        "17.6",
        "17.7",
    ),
}
"""Engine versions AWS offers for new databases, per engine (RDS PostgreSQL also takes a bare major such as "17").

The version is the one the database is *created* with. After that AWS applies minor upgrades in the maintenance
window (`auto_minor_version_upgrade`) and Terraform ignores `engine_version` drift, so a patched database never
makes the next apply try a downgrade. See modules/database for how a major upgrade is done.
"""

LOG_EXPORTS: dict[str, tuple[str, ...]] = {
    "aurora-postgresql": ("postgresql", "instance", "iam-db-auth-error"),
    "postgres": ("postgresql", "upgrade", "iam-db-auth-error"),
}
"""The CloudWatch log exports RDS accepts per engine."""

AURORA_ONLY = ("min_capacity", "max_capacity", "instance_count")
"""Fields that only shape an Aurora Serverless v2 cluster."""

RDS_ONLY = ("instance_class", "allocated_storage", "max_allocated_storage", "storage_type", "multi_az")
"""Fields that only shape an RDS DB instance."""

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")]
"""A PostgreSQL identifier RDS accepts for the initial database and the master user."""


def major_version(version: str) -> str:
    """The PostgreSQL major version of an engine version ("16.4" -> "16")."""
    return version.split(".", 1)[0]


class DatabaseConfig(ConfigModel):
    """The platform's PostgreSQL: an Aurora Serverless v2 cluster or an RDS instance, with its safety settings."""

    enabled: bool = True
    """Whether the environment has a database at all."""
    engine: Engine = "aurora-postgresql"
    """aurora-postgresql (Serverless v2 cluster) or postgres (RDS DB instance)."""
    engine_version: str = "16.10"
    """Creation engine version; one of SUPPORTED_VERSIONS[engine] (the parameter group family follows its major).
    AWS patches minors afterwards; Terraform ignores that drift."""
    database_name: Identifier = "app"
    """Name of the database created with the cluster or instance."""
    master_username: Identifier = "dbadmin"
    """Master user; its password is generated and kept by RDS in Secrets Manager."""
    port: int = Field(default=5432, ge=1150, le=65535)
    """TCP port the database listens on."""
    min_capacity: float = Field(default=0.5, ge=0.5, le=256)
    """Aurora only: minimum Serverless v2 capacity in ACU (0.5 steps)."""
    max_capacity: float = Field(default=1.0, ge=0.5, le=256)
    """Aurora only: maximum Serverless v2 capacity in ACU (0.5 steps)."""
    instance_count: int = Field(default=1, ge=1, le=16)
    """Aurora only: cluster instances, the writer plus readers."""
    instance_class: Annotated[str, Field(pattern=r"^db\.[a-z0-9-]+\.[a-z0-9-]+$")] = "db.t4g.micro"
    """RDS only: the DB instance class."""
    allocated_storage: int = Field(default=20, ge=20, le=65536)
    """RDS only: initial storage in GiB."""
    max_allocated_storage: int = Field(default=100, ge=20, le=65536)
    """RDS only: storage autoscaling ceiling in GiB (equal to allocated_storage turns autoscaling off)."""
    storage_type: Literal["gp3", "gp2", "io1", "io2"] = "gp3"
    """RDS only: the EBS storage type."""
    multi_az: bool = False
    """RDS only: a synchronous standby in a second AZ."""
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    """Days automated backups (point-in-time recovery) are kept."""
    backup_window: DailyWindow = "03:00-04:00"
    """Daily UTC backup window."""
    maintenance_window: WeeklyWindow = "sun:04:00-sun:05:00"
    """Weekly UTC maintenance window; must not overlap the backup window."""
    performance_insights: bool = True
    """Performance Insights, encrypted with the platform key."""
    performance_insights_retention_days: int = 7
    """Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731."""
    monitoring_interval: Literal[0, 1, 5, 10, 15, 30, 60] = 60
    """Enhanced monitoring interval in seconds; 0 turns it (and its IAM role) off."""
    log_exports: tuple[str, ...] = ("postgresql",)
    """Logs published to CloudWatch Logs; allowed values depend on the engine (LOG_EXPORTS)."""
    log_retention_days: int = 30
    """Retention of the CloudWatch log groups the log exports write to (managed here, encrypted with the CMK)."""
    log_min_duration_statement_ms: int = Field(default=1000, ge=-1, le=2147483647)
    """Log statements slower than this many milliseconds (-1 off)."""
    log_statement: Literal["none", "ddl", "mod", "all"] = "ddl"
    """Which statements PostgreSQL logs regardless of duration."""
    log_connections: bool = False
    """Log every connection and disconnection (`log_connections`, `log_disconnections`): who reached the database
    when, which the medical mark requires."""
    force_ssl: bool = True
    """Refuse connections without TLS (`rds.force_ssl`)."""
    deletion_protection: bool = True
    """Refuse to delete the database (turn off in throwaway environments)."""
    skip_final_snapshot: bool = False
    """Delete without a final snapshot (dev only)."""
    copy_tags_to_snapshot: bool = True
    """Copy the resource tags to snapshots."""
    iam_auth: bool = True
    """Allow IAM database authentication next to the password."""

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        supported = SUPPORTED_VERSIONS[self.engine]
        if self.engine_version not in supported:
            raise FieldError(
                "engine_version",
                f"{self.engine_version!r} is not offered by {self.engine} for new databases as of {CATALOGUE_DATE} "
                f"(version catalogue in config/database.py); available: {', '.join(supported)}. A running "
                "database is unaffected (after creation AWS patches it and Terraform ignores the version): set "
                "any available version of its major",
            )
        wrong = RDS_ONLY if self.engine == "aurora-postgresql" else AURORA_ONLY
        for key in wrong:
            if key in self.model_fields_set:
                owner = "postgres" if self.engine == "aurora-postgresql" else "aurora-postgresql"
                raise FieldError(
                    key, f"applies to engine = {owner!r} only; remove it or change engine (now {self.engine!r})"
                )
        for key in ("min_capacity", "max_capacity"):
            value = getattr(self, key)
            if not (value * 2).is_integer():
                raise FieldError(key, f"{value:g} ACU is not a multiple of 0.5")
        if self.min_capacity > self.max_capacity:
            raise FieldError(
                "min_capacity",
                f"min_capacity ({self.min_capacity:g}) is greater than max_capacity ({self.max_capacity:g})",
            )
        if self.allocated_storage > self.max_allocated_storage:
            raise FieldError(
                "allocated_storage",
                f"allocated_storage ({self.allocated_storage}) is greater than "
                f"max_allocated_storage ({self.max_allocated_storage})",
            )
        retention = self.performance_insights_retention_days
        if retention != 7 and not (retention % 31 == 0 and 31 <= retention <= 731):
            raise FieldError(
                "performance_insights_retention_days",
                f"{retention} is not a Performance Insights retention; allowed: 7 or a multiple of 31 up to 731",
            )
        allowed_logs = LOG_EXPORTS[self.engine]
        for index, log in enumerate(self.log_exports):
            if log not in allowed_logs:
                raise FieldError(
                    f"log_exports[{index}]",
                    f"{log!r} is not a log export of {self.engine}; allowed: {', '.join(allowed_logs)}",
                )
        if len(set(self.log_exports)) != len(self.log_exports):
            raise FieldError("log_exports", f"{list(self.log_exports)} lists a log twice")
        check_log_retention(self.log_retention_days, "log_retention_days")
        if self.master_username.lower() in ("rdsadmin", "rds_superuser", "public"):
            raise FieldError("master_username", f"{self.master_username!r} is reserved by RDS")
        check_windows(self.backup_window, "backup_window", self.maintenance_window, "maintenance_window")
        return self

    @property
    def is_aurora(self) -> bool:
        """Whether the database is an Aurora cluster (rather than an RDS instance)."""
        return self.engine == "aurora-postgresql"

    @property
    def parameter_group_family(self) -> str:
        """The parameter group family of the engine's major version, e.g. aurora-postgresql16 or postgres17."""
        return f"{self.engine}{major_version(self.engine_version)}"
