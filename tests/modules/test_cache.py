"""The cache module and its config: failover and multi-AZ by node count, encryption, AUTH token, parameters, logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from pydantic import ValidationError

from config.base import FieldError
from config.cache import CacheConfig, CacheParametersConfig
from modules.cache import Cache
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS = "arn:aws:kms:ap-northeast-1:111122223333:key/00000000-0000-0000-0000-000000000000"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"]
SG = "sg-0123456789abcdef0"


def cache_json(config: CacheConfig, *, protected: bool = False) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    Cache(
        stack,
        "cache",
        name="acme-dev",
        config=config,
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        protected=protected,
        tags={"Component": "cache"},
    )
    return synth_json(stack)


def redis(config: CacheConfig) -> Json:
    return only(cache_json(config), "aws_elasticache_replication_group")


def field_error(**values: Any) -> FieldError:
    with pytest.raises(ValidationError) as raised:
        CacheConfig(**values)
    error = raised.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, FieldError)
    return error


def test_single_node_has_no_failover_or_multi_az() -> None:
    group = redis(CacheConfig(enabled=True, node_count=1))
    assert group["num_cache_clusters"] == 1
    assert group["automatic_failover_enabled"] is False and group["multi_az_enabled"] is False


def test_two_nodes_fail_over_across_azs() -> None:
    group = redis(CacheConfig(enabled=True, node_count=2))
    assert group["num_cache_clusters"] == 2
    assert group["automatic_failover_enabled"] is True and group["multi_az_enabled"] is True


def test_failover_can_be_turned_off_with_replicas() -> None:
    group = redis(CacheConfig(enabled=True, node_count=2, automatic_failover=False))
    assert group["num_cache_clusters"] == 2
    assert group["automatic_failover_enabled"] is False and group["multi_az_enabled"] is False


def test_engine_node_type_and_network() -> None:
    document = cache_json(CacheConfig(enabled=True, node_type="cache.t4g.small"))
    group = only(document, "aws_elasticache_replication_group")
    assert (group["engine"], group["engine_version"], group["node_type"], group["port"]) == (
        "redis",
        "7.1",
        "cache.t4g.small",
        6379,
    )
    assert group["replication_group_id"] == "acme-dev-redis" and group["security_group_ids"] == [SG]
    assert group["subnet_group_name"].startswith("${aws_elasticache_subnet_group.")
    assert only(document, "aws_elasticache_subnet_group")["subnet_ids"] == SUBNETS
    assert group["auto_minor_version_upgrade"] == "true"


def test_encrypted_at_rest_with_the_key_and_in_transit() -> None:
    group = redis(CacheConfig(enabled=True))
    assert group["at_rest_encryption_enabled"] == "true" and group["kms_key_id"] == KMS
    assert group["transit_encryption_enabled"] is True


def test_parameter_group_values() -> None:
    document = cache_json(CacheConfig(enabled=True))
    group = only(document, "aws_elasticache_parameter_group")
    assert group["family"] == "redis7" and group["lifecycle"] == {"create_before_destroy": True}
    assert {p["name"]: p["value"] for p in group["parameter"]} == {
        "notify-keyspace-events": "Ex",
        "maxmemory-policy": "volatile-lru",
    }
    assert only(document, "aws_elasticache_replication_group")["parameter_group_name"].startswith(
        "${aws_elasticache_parameter_group."
    )
    custom = only(
        cache_json(
            CacheConfig(
                enabled=True,
                parameters=CacheParametersConfig(notify_keyspace_events="", maxmemory_policy="allkeys-lfu"),
            )
        ),
        "aws_elasticache_parameter_group",
    )
    assert {p["name"]: p["value"] for p in custom["parameter"]} == {
        "notify-keyspace-events": "",
        "maxmemory-policy": "allkeys-lfu",
    }


def test_snapshots_and_windows() -> None:
    group = redis(CacheConfig(enabled=True, snapshot_retention_days=1))
    assert group["snapshot_retention_limit"] == 1
    assert (group["snapshot_window"], group["maintenance_window"]) == ("04:00-05:00", "sun:05:00-sun:06:00")
    assert redis(CacheConfig(enabled=True, snapshot_retention_days=0))["snapshot_retention_limit"] == 0


def test_protected_group_is_kept_and_takes_a_final_snapshot() -> None:
    document = cache_json(CacheConfig(enabled=True, node_count=2), protected=True)
    group = only(document, "aws_elasticache_replication_group")
    assert group["lifecycle"] == {"prevent_destroy": True}
    holder_id, holder = next(iter(resources(document, "terraform_data").items()))
    assert group["final_snapshot_identifier"] == f"${{terraform_data.{holder_id}.output.name}}"
    # fixed at creation, new for every creation (a second destroy/recreate cycle gets a new name), no later diff
    assert holder["input"] == {"name": 'acme-dev-redis-final-${formatdate("YYYYMMDDhhmmss", plantimestamp())}'}
    assert holder["lifecycle"] == {"ignore_changes": ["input"]}
    assert holder["triggers_replace"] == {"replication_group_id": "acme-dev-redis", "kms_key": KMS}


def test_unprotected_group_is_disposable() -> None:
    document = cache_json(CacheConfig(enabled=True))
    group = only(document, "aws_elasticache_replication_group")
    assert "lifecycle" not in group and "final_snapshot_identifier" not in group
    assert resources(document, "terraform_data") == {}


def test_logs_delivered_to_encrypted_log_groups() -> None:
    document = cache_json(CacheConfig(enabled=True, log_retention_days=14))
    log_groups = resources(document, "aws_cloudwatch_log_group")
    assert sorted(group["name"] for group in log_groups.values()) == [
        "/aws/elasticache/acme-dev-redis/engine-log",
        "/aws/elasticache/acme-dev-redis/slow-log",
    ]
    assert all(g["kms_key_id"] == KMS and g["retention_in_days"] == 14 for g in log_groups.values())
    deliveries = only(document, "aws_elasticache_replication_group")["log_delivery_configuration"]
    assert sorted((d["log_type"], d["log_format"], d["destination_type"]) for d in deliveries) == [
        ("engine-log", "json", "cloudwatch-logs"),
        ("slow-log", "json", "cloudwatch-logs"),
    ]
    assert all(d["destination"].startswith("${aws_cloudwatch_log_group.") for d in deliveries)


def test_auth_token_generated_by_aws_and_absent_from_json() -> None:
    document = cache_json(CacheConfig(enabled=True))
    secret = only(document, "aws_secretsmanager_secret")
    assert secret["kms_key_id"] == KMS and secret["name"] == "acme-dev-redis-auth-token"
    (generator_name, generator) = next(iter(document["ephemeral"]["aws_secretsmanager_random_password"].items()))
    assert generator["password_length"] >= 16 and generator["exclude_punctuation"] is True
    version = only(document, "aws_secretsmanager_secret_version")
    assert version["secret_string_wo"] == (
        f"${{ephemeral.aws_secretsmanager_random_password.{generator_name}.random_password}}"
    )
    assert version["secret_string_wo_version"] == 1 and "secret_string" not in version
    (read_back_name,) = document["data"]["aws_secretsmanager_secret_version"]
    group = only(document, "aws_elasticache_replication_group")
    assert group["auth_token"] == f"${{data.aws_secretsmanager_secret_version.{read_back_name}.secret_string}}"
    assert group["auth_token_update_strategy"] == "ROTATE"
    # no plaintext secret argument anywhere: the token only ever travels as a reference
    text = json.dumps(document)
    assert '"secret_string":' not in text and '"random_password":' not in text


def test_auth_token_version_bump_writes_a_new_token() -> None:
    version = only(cache_json(CacheConfig(enabled=True, auth_token_version=2)), "aws_secretsmanager_secret_version")
    assert version["secret_string_wo_version"] == 2


def test_auth_token_generator_name_is_unique_per_construct() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    for id_ in ("sessions", "queue"):
        Cache(
            stack,
            id_,
            name=f"acme-dev-{id_}",
            config=CacheConfig(enabled=True),
            subnet_ids=SUBNETS,
            security_group_id=SG,
            kms_key_arn=KMS,
        )
    document = synth_json(stack)
    assert sorted(document["ephemeral"]["aws_secretsmanager_random_password"]) == [
        "queue_auth_token",
        "sessions_auth_token",
    ]


# --- config errors -------------------------------------------------------------------------------------------------


def test_failover_needs_a_replica() -> None:
    error = field_error(node_count=1, automatic_failover=True)
    assert error.key == "automatic_failover" and "node_count" in error.message


def test_unsupported_version_lists_the_allowed_ones() -> None:
    error = field_error(engine_version="6.2")
    assert error.key == "engine_version" and "'6.2'" in error.message and "7.0, 7.1" in error.message


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    error = field_error(log_retention_days=10)
    assert error.key == "log_retention_days" and "14" in error.message


def test_snapshot_and_maintenance_windows_must_not_overlap() -> None:
    error = field_error(snapshot_window="05:00-06:00", maintenance_window="sun:05:30-sun:06:30")
    assert error.key == "maintenance_window" and "snapshot_window" in error.message


def test_keyspace_events_need_a_channel() -> None:
    with pytest.raises(ValidationError) as raised:
        CacheParametersConfig(notify_keyspace_events="x")
    error = raised.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, FieldError) and error.key == "notify_keyspace_events" and "K" in error.message


def test_node_count_and_type_bounds() -> None:
    with pytest.raises(ValidationError, match="node_count"):
        CacheConfig(node_count=7)
    with pytest.raises(ValidationError, match="node_type"):
        CacheConfig(node_type="t4g.micro")


def test_defaults_are_off_and_reference_sized() -> None:
    config = CacheConfig()
    assert config.enabled is False and config.node_type == "cache.t4g.micro" and config.node_count == 1
    assert config.failover is False and CacheConfig(node_count=2).failover is True


# --- Terraform -----------------------------------------------------------------------------------------------------


def test_cache_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    Cache(
        stack,
        "cache",
        name="acme-prod",
        config=CacheConfig(enabled=True, node_count=2, snapshot_retention_days=1),
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        protected=True,
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)


def test_auth_token_secret_takes_the_given_recovery_window() -> None:
    """The stack passes security.secret_recovery_days; without it the secret keeps AWS's 30-day default."""
    default = only(cache_json(CacheConfig(enabled=True)), "aws_secretsmanager_secret")
    assert "recovery_window_in_days" not in default
    app = Testing.app()
    stack = TerraformStack(app, "test")
    Cache(
        stack,
        "cache",
        name="acme-dev",
        config=CacheConfig(enabled=True),
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        secret_recovery_days=0,
    )
    assert only(synth_json(stack), "aws_secretsmanager_secret")["recovery_window_in_days"] == 0
