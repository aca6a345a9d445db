"""The monitoring and audit layers inside an environment: what each toggle adds, wired to the layers below."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config import PlatformConfig
from modules.monitoring import TRAIL_FILTERS
from tests.conftest import Json, only, platform_json, resources


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "prod")


@pytest.fixture(scope="module")
def dev(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "dev")


def alarms_by_name(document: Json) -> dict[str, Json]:
    return {alarm["alarm_name"]: alarm for alarm in resources(document, "aws_cloudwatch_metric_alarm").values()}


def test_prod_alarms_cover_the_alb_each_target_group_service_db_instance_and_redis_node(prod: Json) -> None:
    alarms = alarms_by_name(prod)
    names = {name.removeprefix("acme-prod-") for name in alarms}
    assert {"alb-5xx", "alb-target-5xx", "alb-response-time"} <= names
    # web, api (blue/green: two groups) and realtime target groups; every ECS service; two Aurora instances and
    # two Redis nodes in prod.
    assert {"web-tg-unhealthy-hosts", "api-tg-unhealthy-hosts", "api-tg-green-unhealthy-hosts"} <= names
    assert {"realtime-tg-unhealthy-hosts"} <= names
    assert {
        f"{service}-{metric}" for service in ("web", "api", "realtime", "worker") for metric in ("cpu", "memory")
    } <= names
    assert {f"db-{n}-{m}" for n in (1, 2) for m in ("cpu", "connections", "freeable-memory")} <= names
    assert {f"redis-{n}-{m}" for n in (1, 2) for m in ("cpu", "memory", "evictions")} <= names
    trail = {name for name in names if name.startswith("trail-")}  # the CIS alarms on the CloudTrail log group
    assert len(trail) == len(TRAIL_FILTERS)
    assert len(names - trail) == 3 + 4 + 8 + 6 + 6


def test_alarm_dimensions_reference_the_resources_of_the_earlier_layers(prod: Json) -> None:
    alarms = alarms_by_name(prod)
    assert alarms["acme-prod-alb-5xx"]["dimensions"]["LoadBalancer"].startswith("${aws_lb.load_balancer_alb")
    green = alarms["acme-prod-api-tg-green-unhealthy-hosts"]["dimensions"]["TargetGroup"]
    assert green.startswith("${aws_lb_target_group.") and green.endswith(".arn_suffix}")
    worker = alarms["acme-prod-worker-cpu"]["dimensions"]
    assert worker["ClusterName"].startswith("${aws_ecs_cluster.") and worker["ServiceName"].startswith(
        "${aws_ecs_service."
    )
    db = alarms["acme-prod-db-2-connections"]["dimensions"]["DBInstanceIdentifier"]
    assert db.startswith("${aws_rds_cluster_instance.") and db.endswith(".identifier}")
    node = alarms["acme-prod-redis-2-evictions"]["dimensions"]["CacheClusterId"]
    assert node.startswith("${aws_elasticache_replication_group.") and node.endswith(".id}-002")


def test_per_environment_thresholds(prod: Json, config_with: Callable[[Json], PlatformConfig]) -> None:
    alarms = alarms_by_name(prod)
    assert alarms["acme-prod-db-1-connections"]["threshold"] == 400
    assert alarms["acme-prod-api-cpu"]["evaluation_periods"] == 2
    stg = alarms_by_name(platform_json(config_with({}), "stg"))
    assert stg["acme-stg-alb-5xx"]["threshold"] == 25 and stg["acme-stg-db-1-connections"]["threshold"] == 100
    assert stg["acme-stg-api-cpu"]["evaluation_periods"] == 1


def test_prod_topic_outputs_and_subscriptions(prod: Json) -> None:
    assert only(prod, "aws_sns_topic")["name"] == "acme-prod-alarms"
    endpoints = sorted(s["endpoint"] for s in resources(prod, "aws_sns_topic_subscription").values())
    assert endpoints == ["oncall@example.com", "platform-team@example.com"]
    assert prod["output"]["alarm_topic_arn"]["value"].startswith("${aws_sns_topic.")
    assert prod["output"]["dashboard_name"]["value"].startswith("${aws_cloudwatch_dashboard.")


def test_dev_has_a_dashboard_but_no_alarms_topic_or_trail(dev: Json) -> None:
    assert only(dev, "aws_cloudwatch_dashboard")["dashboard_name"] == "acme-dev"
    for resource_type in ("aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_cloudtrail"):
        assert resources(dev, resource_type) == {}, resource_type
    assert {"alarm_topic_arn", "cloudtrail_arn", "audit_bucket_name"}.isdisjoint(dev["output"])
    assert "dashboard_name" in dev["output"]


def test_monitoring_off_creates_nothing(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "defaults": {"monitoring": {"dashboard": False}},
            "environments": {"prod": {"monitoring": {"alarms": False, "emails": []}, "audit": {"enabled": False}}},
        }
    )
    document = platform_json(config, "prod")
    for resource_type in (
        "aws_cloudwatch_metric_alarm",
        "aws_sns_topic",
        "aws_sns_topic_subscription",
        "aws_cloudwatch_dashboard",
        "aws_cloudtrail",
    ):
        assert resources(document, resource_type) == {}, resource_type
    assert {"alarm_topic_arn", "dashboard_name", "cloudtrail_arn"}.isdisjoint(document["output"])
    assert len(resources(document, "aws_kms_key")) == 1  # the environment's own key only


def test_alarms_without_a_dashboard(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = platform_json(config_with({"defaults": {"monitoring": {"dashboard": False}}}), "prod")
    assert resources(document, "aws_cloudwatch_dashboard") == {}
    assert len(resources(document, "aws_cloudwatch_metric_alarm")) == 27 + len(TRAIL_FILTERS)


def test_prod_trail_with_outputs_and_object_lock(prod: Json) -> None:
    trail = only(prod, "aws_cloudtrail")
    assert trail["name"] == "acme-prod-trail" and trail["is_multi_region_trail"] is True
    assert only(prod, "aws_s3_bucket_object_lock_configuration")["rule"]["default_retention"]["days"] == 365
    audit_bucket = next(b for b in resources(prod, "aws_s3_bucket").values() if "-audit-" in b["bucket"])
    assert audit_bucket["lifecycle"] == {"prevent_destroy": True}  # prod is protected
    assert {"cloudtrail_arn", "audit_bucket_name", "audit_log_group_name"} <= set(prod["output"])


def test_medical_project_audits_dev_and_logs_db_connections(
    dev: Json, config_with: Callable[[Json], PlatformConfig]
) -> None:
    def connection_logging(document: Json) -> set[str]:
        groups = resources(document, "aws_rds_cluster_parameter_group").values()
        return {
            p["name"]
            for group in groups
            for p in group["parameter"]
            if p["value"] == "1" and "connections" in p["name"]
        }

    assert connection_logging(dev) == set()
    medical = config_with(
        {
            "project": {"medical": True},
            "environments": {
                "dev": {"security": {"secret_recovery_days": 7}},
                "stg": {"audit": {"bucket_retention_days": 1827, "log_retention_days": 365}},
            },
        }
    )
    document = platform_json(medical, "dev")
    assert only(document, "aws_cloudtrail")["name"] == "acme-dev-trail"
    assert connection_logging(document) == {"log_connections", "log_disconnections"}
    log_groups = {g["name"]: g["retention_in_days"] for g in resources(document, "aws_cloudwatch_log_group").values()}
    assert log_groups["/aws/cloudtrail/acme-dev"] == 365
    assert log_groups["/aws/rds/cluster/acme-dev-db/postgresql"] == 365
    lifecycle = [
        r
        for r in resources(document, "aws_s3_bucket_lifecycle_configuration").values()
        if r["rule"][0]["id"] == "expire-trail-logs"
    ]
    assert lifecycle[0]["rule"][0]["expiration"] == [{"days": 1827}]
