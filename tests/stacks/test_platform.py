"""The composed platform stack: modules wired to each other, outputs, and environment differences."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from config import PlatformConfig, build_config
from tests.conftest import Json, only, platform_json, resources


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "prod")


@pytest.fixture(scope="module")
def dev(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "dev")


def container(document: Json, service: str) -> Json:
    definitions = [d for d in resources(document, "aws_ecs_task_definition").values() if d["family"].endswith(service)]
    (definition,) = definitions
    (first,) = json.loads(definition["container_definitions"])
    return dict(first)


def test_outputs_a_team_needs(prod: Json) -> None:
    assert {
        "alb_dns_name",
        "ecr_repository_urls",
        "db_endpoint",
        "db_reader_endpoint",
        "db_master_secret_arn",
        "redis_primary_endpoint",
        "secret_arns",
        "ecs_cluster_name",
        "ecs_service_names",
        "waf_web_acl_arn",
        "codedeploy_app_name",
    } <= set(prod["output"])
    assert all(output["description"] for output in prod["output"].values())
    assert all(not output.get("sensitive") for output in prod["output"].values())  # ARNs and names only


def test_container_secrets_resolve_to_arns(prod: Json) -> None:
    secrets = {item["name"]: item["valueFrom"] for item in container(prod, "api")["secrets"]}
    assert secrets["DB_PASSWORD"].startswith("${aws_rds_cluster.") and secrets["DB_PASSWORD"].endswith(":password::")
    assert secrets["JWT_SECRET"].startswith("${aws_secretsmanager_secret.secrets_jwt_secret")
    assert secrets["LOG_LEVEL"].startswith("${aws_ssm_parameter.")
    assert secrets["REDIS_AUTH_TOKEN"].startswith("${aws_secretsmanager_secret.cache_auth_token")


def test_containers_find_their_data_stores_without_any_password_in_the_json(prod: Json) -> None:
    variables = {item["name"]: item["value"] for item in container(prod, "api")["environment"]}
    assert variables["DB_HOST"].startswith("${aws_rds_cluster.database_") and variables["DB_HOST"].endswith(
        ".endpoint}"
    )
    assert (variables["DB_PORT"], variables["DB_NAME"], variables["REDIS_PORT"]) == ("5432", "app", "6379")
    assert variables["REDIS_HOST"].endswith(".primary_endpoint_address}")
    secrets = {item["name"] for item in container(prod, "api")["secrets"]}
    assert {"DB_USER", "DB_PASSWORD", "REDIS_AUTH_TOKEN"} <= secrets and not secrets & set(variables)


def test_string_parameters_may_hold_stack_values(config_with: Callable[[Json], PlatformConfig]) -> None:
    # seed 004: /bookmark-manager/prod/db/endpoint for tools that read Parameter Store
    config = config_with(
        {"defaults": {"security": {"parameters": {"db/endpoint": {"value": "${db.host}:${db.port}"}}}}}
    )
    document = platform_json(config, "prod")
    (parameter,) = [p for p in resources(document, "aws_ssm_parameter").values() if p["name"].endswith("/db/endpoint")]
    assert parameter["type"] == "String"
    assert parameter["value"].startswith("${aws_rds_cluster.database_") and parameter["value"].endswith(
        ".endpoint}:5432"
    )


def test_every_service_runs_the_tag_ci_deployed_or_nothing(prod: Json, dev: Json) -> None:
    for document, env, services in (
        (prod, "prod", ("api", "realtime", "web", "worker")),
        (dev, "dev", ("api", "realtime", "web")),
    ):
        parameters = {
            p["name"]: (key, p)
            for key, p in resources(document, "aws_ssm_parameter").items()
            if "/image-tag/" in p["name"]
        }
        assert sorted(parameters) == [f"/acme/{env}/image-tag/{service}" for service in services]
        for service in services:
            key, parameter = parameters[f"/acme/{env}/image-tag/{service}"]
            # created once as "no image yet"; after that CI owns the value and Terraform only reads it
            assert parameter["insecure_value"] == "no-image-yet" and parameter["type"] == "String"
            assert parameter["lifecycle"]["ignore_changes"] == ["insecure_value"]
            tag = f"${{aws_ssm_parameter.{key}.insecure_value}}"
            assert container(document, service)["image"].endswith(f":{tag}")
        assert document["output"]["image_tag_parameter_names"]
    # IMMUTABLE prod refuses `latest` when the plan reads it; MUTABLE dev does not
    (_, api) = next(
        v
        for k, v in {p["name"]: (k, p) for k, p in resources(prod, "aws_ssm_parameter").items()}.items()
        if k.endswith("image-tag/api")
    )
    assert api["lifecycle"]["postcondition"][0]["condition"] == '${self.insecure_value != "latest"}'
    assert all(
        "postcondition" not in p["lifecycle"]
        for p in resources(dev, "aws_ssm_parameter").values()
        if "/image-tag/" in p["name"]
    )
    web = next(s for s in resources(dev, "aws_ecs_service").values() if s["name"].endswith("-web"))
    assert web["desired_count"].startswith("${(aws_ssm_parameter.") and web["desired_count"].endswith(
        '.insecure_value == "no-image-yet") ? 0 : 1}'
    )


def test_a_pinned_image_tag_needs_no_deployed_tag_parameter(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = platform_json(
        config_with({"environments": {"dev": {"services": {"web": {"image_tag": "latest"}}}}}), "dev"
    )
    names = [p["name"] for p in resources(document, "aws_ssm_parameter").values()]
    assert "/acme/dev/image-tag/web" not in names and "/acme/dev/image-tag/api" in names
    assert container(document, "web")["image"].endswith(".repository_url}:latest")
    web = next(s for s in resources(document, "aws_ecs_service").values() if s["name"].endswith("-web"))
    assert web["desired_count"] == 1


def test_services_run_in_their_own_security_groups_on_private_subnets(prod: Json) -> None:
    for service in resources(prod, "aws_ecs_service").values():
        (network,) = (
            service["network_configuration"]
            if isinstance(service["network_configuration"], list)
            else [service["network_configuration"]]
        )
        assert network["assign_public_ip"] is False
        assert all("aws_subnet.network_private_" in subnet for subnet in network["subnets"])
        assert (
            len(network["security_groups"]) == 1
            and "aws_security_group.security_groups_" in (network["security_groups"][0])
        )


def test_prod_is_protected_and_dev_is_not(prod: Json, dev: Json) -> None:
    prod_db, dev_db = only(prod, "aws_rds_cluster"), only(dev, "aws_rds_cluster")
    assert prod_db["deletion_protection"] is True and prod_db["skip_final_snapshot"] is False
    assert prod_db["copy_tags_to_snapshot"] is True and prod_db["final_snapshot_identifier"]
    assert dev_db["deletion_protection"] is False and dev_db["skip_final_snapshot"] is True
    assert only(prod, "aws_lb")["enable_deletion_protection"] is True
    assert only(dev, "aws_lb")["enable_deletion_protection"] is False
    assert (
        len(resources(prod, "aws_rds_cluster_instance")) == 2 and len(resources(dev, "aws_rds_cluster_instance")) == 1
    )
    redis_prod, redis_dev = (
        only(prod, "aws_elasticache_replication_group"),
        only(dev, "aws_elasticache_replication_group"),
    )
    assert redis_prod["automatic_failover_enabled"] is True and redis_prod["num_cache_clusters"] == 2
    assert redis_dev["automatic_failover_enabled"] is False and redis_dev["num_cache_clusters"] == 1


BUCKETS = ["aws_s3_bucket", "aws_s3_bucket"]
"""The reference config's two application buckets (uploads, assets), protected where the environment is."""

STATEFUL = ("aws_rds_cluster", "aws_db_instance", "aws_kms_key", "aws_elasticache_replication_group")


def kept(document: Json) -> list[str]:
    """Resource types carrying `prevent_destroy`."""
    return sorted(
        resource_type
        for resource_type, items in document["resource"].items()
        for item in items.values()
        if item.get("lifecycle", {}).get("prevent_destroy")
    )


def test_prevent_destroy_on_prod_stateful_resources_only(
    prod: Json, dev: Json, reference_config: PlatformConfig
) -> None:
    # the environment's key, prod's audit trail key and bucket, the application buckets and the user pool
    assert kept(prod) == sorted(
        [
            "aws_cognito_user_pool",
            "aws_elasticache_replication_group",
            "aws_kms_key",
            "aws_kms_key",
            "aws_rds_cluster",
            "aws_s3_bucket",
            *BUCKETS,
        ]
    )
    assert only(prod, "aws_cognito_user_pool")["deletion_protection"] == "ACTIVE"
    assert only(platform_json(reference_config, "stg"), "aws_cognito_user_pool")["deletion_protection"] == "INACTIVE"
    assert kept(dev) == [] and kept(platform_json(reference_config, "stg")) == []
    assert all(key["deletion_window_in_days"] == 30 for key in resources(prod, "aws_kms_key").values())
    # prod Redis takes a final snapshot; dev Redis is thrown away
    assert only(prod, "aws_elasticache_replication_group")["final_snapshot_identifier"].startswith("${terraform_data.")
    assert "final_snapshot_identifier" not in only(dev, "aws_elasticache_replication_group")


def test_protection_follows_the_switch(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "prod": {"protection": {"enabled": False}},
                "dev": {
                    "protection": {
                        "enabled": True,
                        "allow": [
                            "database.deletion_protection",
                            "database.skip_final_snapshot",
                            "database.backup_retention_days",
                            "load_balancer.deletion_protection",
                            "security.secret_recovery_days",
                        ],
                    },
                },
            }
        }
    )
    assert kept(platform_json(config, "prod")) == []
    assert kept(platform_json(config, "dev")) == [
        "aws_elasticache_replication_group",
        "aws_kms_key",
        "aws_rds_cluster",
        *BUCKETS,
    ]


def test_database_log_groups_are_managed_with_the_key(prod: Json) -> None:
    groups = {group["name"]: group for group in resources(prod, "aws_cloudwatch_log_group").values()}
    database = groups["/aws/rds/cluster/acme-prod-db/postgresql"]
    assert database["kms_key_id"].startswith("${aws_kms_key.kms_key") and database["retention_in_days"] == 30
    assert only(prod, "aws_rds_cluster")["depends_on"] == [
        next(
            f"aws_cloudwatch_log_group.{key}"
            for key, group in resources(prod, "aws_cloudwatch_log_group").items()
            if group["name"] == database["name"]
        )
    ]


def rule_ports(document: Json, rule_type: str, prefix: str) -> set[tuple[int, int]]:
    return {
        (rule["from_port"], rule["to_port"])
        for key, rule in resources(document, rule_type).items()
        if key.startswith(prefix)
    }


def test_security_group_rules_follow_the_configured_ports(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"dev": {"database": {"port": 6543}, "cache": {"port": 6380}}}})
    document = platform_json(config, "dev")
    database = only(document, "aws_rds_cluster")
    redis = only(document, "aws_elasticache_replication_group")
    assert (database["port"], redis["port"]) == (6543, 6380)
    ingress, egress = "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"
    assert rule_ports(document, ingress, "security_groups_database_from_") == {(6543, 6543)}
    assert rule_ports(document, ingress, "security_groups_cache_from_") == {(6380, 6380)}
    assert rule_ports(document, egress, "security_groups_api_to_database") == {(6543, 6543)}
    assert rule_ports(document, egress, "security_groups_api_to_cache") == {(6380, 6380)}


def test_default_ports_unchanged(prod: Json) -> None:
    ingress = "aws_vpc_security_group_ingress_rule"
    assert rule_ports(prod, ingress, "security_groups_database_from_") == {(5432, 5432)}
    assert rule_ports(prod, ingress, "security_groups_cache_from_") == {(6379, 6379)}


def test_blue_green_only_where_configured(prod: Json, dev: Json) -> None:
    assert len(resources(prod, "aws_codedeploy_deployment_group")) == 1
    assert resources(dev, "aws_codedeploy_deployment_group") == {}
    assert len(resources(prod, "aws_lb_listener")) == 3 and len(resources(dev, "aws_lb_listener")) == 2


def test_waf_protects_the_alb_in_every_environment(prod: Json, dev: Json) -> None:
    for document in (prod, dev):
        association = only(document, "aws_wafv2_web_acl_association")
        assert association["resource_arn"].startswith("${aws_lb.load_balancer_alb")


def test_waf_off_creates_no_acl(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"dev": {"security": {"waf": {"enabled": False}}}}})
    document = platform_json(config, "dev")
    assert resources(document, "aws_wafv2_web_acl") == {} and "waf_web_acl_arn" not in document["output"]


def test_worker_only_where_enabled(prod: Json, dev: Json) -> None:
    assert any(name.endswith("-worker") for name in (s["name"] for s in resources(prod, "aws_ecs_service").values()))
    assert not any(s["name"].endswith("-worker") for s in resources(dev, "aws_ecs_service").values())


def test_optional_modules_off(reference_document: Json) -> None:
    document = copy.deepcopy(reference_document)
    for service in document["defaults"]["services"].values():
        service["secrets"] = {k: v for k, v in service.get("secrets", {}).items() if v.startswith("secret:")}
        service["environment"] = {k: v for k, v in service.get("environment", {}).items() if "${" not in v}
    document["environments"]["dev"]["database"] = {"enabled": False}
    document["environments"]["dev"]["cache"] = {"enabled": False}
    synthesized = platform_json(build_config(document, "test.toml"), "dev")
    assert resources(synthesized, "aws_rds_cluster") == {}
    assert resources(synthesized, "aws_elasticache_replication_group") == {}
    assert "db_endpoint" not in synthesized["output"] and "redis_primary_endpoint" not in synthesized["output"]


def test_every_secret_takes_the_environments_recovery_window(prod: Json, dev: Json) -> None:
    # dev is torn down and recreated: its secrets, the Redis AUTH token included, go at once on destroy
    dev_secrets = resources(dev, "aws_secretsmanager_secret").values()
    assert {secret["name"]: secret["recovery_window_in_days"] for secret in dev_secrets} == {
        "acme-dev/api-token": 0,
        "acme-dev/jwt-secret": 0,
        "acme-dev-redis-auth-token": 0,
    }
    assert {secret["recovery_window_in_days"] for secret in resources(prod, "aws_secretsmanager_secret").values()} == {
        7
    }


def test_parameters_live_under_project_and_environment(prod: Json, dev: Json) -> None:
    """Config parameters and the image-tag parameters CI writes, all under /{project}/{env}."""
    assert {p["name"] for p in resources(dev, "aws_ssm_parameter").values()} == {
        "/acme/dev/app/log-level",
        *(f"/acme/dev/image-tag/{service}" for service in ("api", "realtime", "web")),
    }
    assert {p["name"] for p in resources(prod, "aws_ssm_parameter").values()} == {
        "/acme/prod/app/log-level",
        *(f"/acme/prod/image-tag/{service}" for service in ("api", "realtime", "web", "worker")),
    }
