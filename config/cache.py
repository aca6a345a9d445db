"""Cache settings: an optional ElastiCache Redis 7 replication group, its parameters, snapshots and logs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention
from config.windows import DailyWindow, WeeklyWindow, check_windows

SUPPORTED_VERSIONS = ("7.0", "7.1")
"""Redis engine versions this generator accepts (all of parameter group family redis7)."""

MaxmemoryPolicy = Literal[
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
]
"""What Redis evicts when it reaches maxmemory."""


class CacheParametersConfig(ConfigModel):
    """Redis parameters set in the cache's own parameter group."""

    notify_keyspace_events: Annotated[str, Field(pattern=r"^[KEg$lshzxetmdnA]*$")] = "Ex"
    """Keyspace notifications (`notify-keyspace-events`), e.g. "Ex" for expired-key events; "" turns them off."""
    maxmemory_policy: MaxmemoryPolicy = "volatile-lru"
    """Eviction policy (`maxmemory-policy`)."""

    @model_validator(mode="after")
    def _events_have_a_channel(self) -> CacheParametersConfig:
        events = self.notify_keyspace_events
        if events and "K" not in events and "E" not in events:
            raise FieldError(
                "notify_keyspace_events",
                f"{events!r} names no channel, so Redis would publish nothing; add K (keyspace) and/or E (keyevent)",
            )
        return self


class CacheConfig(ConfigModel):
    """An ElastiCache Redis replication group with encryption, an AUTH token, snapshots and log delivery."""

    enabled: bool = False
    """Whether the environment has a Redis cache (off unless asked for)."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9-]+\.[a-z0-9-]+$")] = "cache.t4g.micro"
    """The cache node type."""
    node_count: int = Field(default=1, ge=1, le=6)
    """Nodes in the group: one primary plus node_count - 1 replicas."""
    automatic_failover: bool | None = None
    """Promote a replica when the primary fails; unset means on when there is more than one node."""
    engine_version: str = "7.1"
    """Redis engine version; one of SUPPORTED_VERSIONS."""
    port: int = Field(default=6379, ge=1024, le=65535)
    """TCP port Redis listens on."""
    parameters: CacheParametersConfig = CacheParametersConfig()
    """Redis parameters of the cache's parameter group."""
    snapshot_retention_days: int = Field(default=1, ge=0, le=35)
    """Days daily snapshots are kept; 0 turns snapshots off."""
    snapshot_window: DailyWindow = "04:00-05:00"
    """Daily UTC snapshot window."""
    maintenance_window: WeeklyWindow = "sun:05:00-sun:06:00"
    """Weekly UTC maintenance window; must not overlap the snapshot window."""
    log_retention_days: int = 30
    """Retention of the slow-log and engine-log CloudWatch log groups."""
    auth_token_version: int = Field(default=1, ge=1, le=2**53 - 1)
    """Bump to generate a new AUTH token (Redis accepts old and new until the next change)."""

    @model_validator(mode="after")
    def _consistent(self) -> CacheConfig:
        if self.engine_version not in SUPPORTED_VERSIONS:
            raise FieldError(
                "engine_version",
                f"{self.engine_version!r} is not a supported Redis version; allowed: {', '.join(SUPPORTED_VERSIONS)}",
            )
        if self.automatic_failover is True and self.node_count < 2:
            raise FieldError(
                "automatic_failover",
                "automatic failover needs a replica to promote; set node_count to 2 or more, or leave it unset",
            )
        check_log_retention(self.log_retention_days, "log_retention_days")
        check_windows(self.snapshot_window, "snapshot_window", self.maintenance_window, "maintenance_window")
        return self

    @property
    def failover(self) -> bool:
        """Whether automatic failover (and with it multi-AZ) is on."""
        return self.automatic_failover if self.automatic_failover is not None else self.node_count > 1

    @property
    def parameter_group_family(self) -> str:
        """The parameter group family of the engine's major version (redis7)."""
        return f"redis{self.engine_version.split('.', 1)[0]}"
