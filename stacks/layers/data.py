"""Data layer: the database and Redis, each in its tier behind its security group, and the values they publish."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from config.stack_values import STACK_VALUES
from modules.cache import Cache
from modules.database import Database
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.security import SecurityOutputs


@dataclass(frozen=True)
class DatabaseOutputs:
    """Connection details of the database; the password stays in the RDS-managed master secret."""

    endpoint: str
    reader_endpoint: str
    port: int
    database_name: str
    master_secret_arn: str
    identifier: str
    """Cluster (Aurora) or instance identifier."""
    instance_identifiers: tuple[str, ...]
    """Every DB instance, writer first: the `DBInstanceIdentifier` of the instance metrics."""


@dataclass(frozen=True)
class CacheOutputs:
    """Connection details of Redis; the AUTH token stays in its secret."""

    primary_endpoint_address: str
    reader_endpoint_address: str
    port: int
    auth_token_secret_arn: str
    replication_group_id: str
    member_cluster_ids: tuple[str, ...]
    """One per node: the `CacheClusterId` of the node metrics."""


@dataclass(frozen=True)
class DataOutputs:
    """The enabled data stores (None when disabled) and the `${db.*}` / `${redis.*}` values they resolve."""

    database: DatabaseOutputs | None
    cache: CacheOutputs | None
    stack_values: Mapping[str, str] = field(default_factory=dict)


def stack_values(database: DatabaseOutputs | None, cache: CacheOutputs | None) -> dict[str, str]:
    """What `${db.host}`-style references in container environments and String parameters resolve to."""
    values: dict[str, str] = {}
    if database is not None:
        values |= {
            "db.host": database.endpoint,
            "db.reader_host": database.reader_endpoint,
            "db.port": str(database.port),
            "db.name": database.database_name,
        }
    if cache is not None:
        values |= {
            "redis.host": cache.primary_endpoint_address,
            "redis.reader_host": cache.reader_endpoint_address,
            "redis.port": str(cache.port),
        }
    assert set(values) <= set(STACK_VALUES), "every stack value is documented in config.stack_values"
    return values


def data_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
) -> DataOutputs:
    """The database in the database tier and Redis in the private tier, both encrypted with the environment's CMK."""
    config = env.config
    database = None
    if config.database.enabled:
        assert security.database_security_group_id is not None
        db = Database(
            scope,
            "database",
            name=env.prefix,
            config=config.database,
            subnet_ids=network.database_subnet_ids,
            security_group_id=security.database_security_group_id,
            kms_key_arn=encryption.kms_key_arn,
            account_id=account.account_id,
            partition=account.partition,
            protected=config.protected,
        )
        database = DatabaseOutputs(
            endpoint=db.endpoint,
            reader_endpoint=db.reader_endpoint,
            port=db.port,
            database_name=db.database_name,
            master_secret_arn=db.master_secret_arn,
            identifier=db.identifier,
            instance_identifiers=tuple(db.instance_identifiers),
        )
    cache = None
    if config.cache.enabled:
        assert security.cache_security_group_id is not None
        redis = Cache(
            scope,
            "cache",
            name=env.prefix,
            config=config.cache,
            subnet_ids=network.private_subnet_ids,
            security_group_id=security.cache_security_group_id,
            kms_key_arn=encryption.kms_key_arn,
            protected=config.protected,
            secret_recovery_days=config.security.secret_recovery_days,
        )
        cache = CacheOutputs(
            primary_endpoint_address=redis.primary_endpoint_address,
            reader_endpoint_address=redis.reader_endpoint_address,
            port=redis.port,
            auth_token_secret_arn=redis.auth_token_secret_arn,
            replication_group_id=redis.replication_group_id,
            member_cluster_ids=tuple(redis.member_cluster_ids),
        )
    return DataOutputs(database=database, cache=cache, stack_values=stack_values(database, cache))
