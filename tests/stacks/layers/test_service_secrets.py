"""Pure planning of container secrets: references resolved to `valueFrom` ARNs and to the role's read list."""

from __future__ import annotations

from config.services import ServiceConfig
from stacks.layers.data import CacheOutputs, DatabaseOutputs, DataOutputs, stack_values
from stacks.layers.secrets import SecretsOutputs
from stacks.layers.service_secrets import resolve_secrets

SECRETS = SecretsOutputs(
    secret_arns={"jwt-secret": "arn:jwt", "api-token": "arn:token"},
    parameter_arns={"app/log-level": "arn:param"},
)
DATABASE = DatabaseOutputs(
    endpoint="db.host",
    reader_endpoint="db.reader",
    port=5432,
    database_name="app",
    master_secret_arn="arn:master",
    identifier="db",
    instance_identifiers=("db-1",),
)
CACHE = CacheOutputs(
    primary_endpoint_address="redis.host",
    reader_endpoint_address="redis.reader",
    port=6379,
    auth_token_secret_arn="arn:auth",
    replication_group_id="redis",
    member_cluster_ids=("redis-001",),
)


def worker(secrets: dict[str, str]) -> ServiceConfig:
    return ServiceConfig.model_validate({"kind": "worker", "secrets": secrets})


def test_each_reference_kind_resolves_and_the_role_reads_each_secret_once() -> None:
    service = worker(
        {
            "JWT": "secret:jwt-secret",
            "LOG_LEVEL": "ssm:app/log-level",
            "DB_USER": "db:username",
            "DB_PASSWORD": "db:password",
            "REDIS_AUTH_TOKEN": "redis:auth_token",
        }
    )
    resolved = resolve_secrets(service, SECRETS, DataOutputs(database=DATABASE, cache=CACHE))
    assert resolved.value_from == {
        "DB_PASSWORD": "arn:master:password::",
        "DB_USER": "arn:master:username::",
        "JWT": "arn:jwt",
        "LOG_LEVEL": "arn:param",
        "REDIS_AUTH_TOKEN": "arn:auth",
    }
    assert list(resolved.value_from) == sorted(resolved.value_from)
    # the master secret once for both keys; ordered by the reference ("db", "redis", "secret:<key>"), never by ARN
    assert resolved.secret_arns == ("arn:master", "arn:auth", "arn:jwt")
    assert resolved.parameter_arns == ("arn:param",)


def test_a_service_reads_only_what_it_references() -> None:
    resolved = resolve_secrets(
        worker({"JWT": "secret:jwt-secret"}), SECRETS, DataOutputs(database=DATABASE, cache=CACHE)
    )
    assert resolved.value_from == {"JWT": "arn:jwt"}
    assert resolved.secret_arns == ("arn:jwt",)
    assert resolved.parameter_arns == ()


def test_stack_values_follow_the_enabled_stores() -> None:
    assert stack_values(DATABASE, CACHE) == {
        "db.host": "db.host",
        "db.reader_host": "db.reader",
        "db.port": "5432",
        "db.name": "app",
        "redis.host": "redis.host",
        "redis.reader_host": "redis.reader",
        "redis.port": "6379",
    }
    assert set(stack_values(None, CACHE)) == {"redis.host", "redis.reader_host", "redis.port"}
    assert set(stack_values(DATABASE, None)) == {"db.host", "db.reader_host", "db.port", "db.name"}
    assert stack_values(None, None) == {}
