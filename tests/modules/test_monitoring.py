"""The monitoring module: planned alarms, the encrypted alarm topic CloudWatch may publish to, the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

from cdktf import TerraformStack, Testing

from config.monitoring import AlarmThresholds
from modules.monitoring import Alarms, AlarmTopic, Dashboard, MonitoredResources, TargetGroupMetrics, alarm_specs
from modules.monitoring.alarms import MIB
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

ACCOUNT = "111122223333"
EVERYTHING = MonitoredResources(
    alb_arn_suffix="app/acme-prod/0123456789abcdef",
    target_groups=(
        TargetGroupMetrics("api_tg", "targetgroup/acme-prod-api/aaaa"),
        TargetGroupMetrics("api_tg_green", "targetgroup/acme-prod-api-g/bbbb"),
    ),
    cluster_name="acme-prod",
    service_names={"api": "acme-prod-api", "worker": "acme-prod-worker"},
    db_instance_identifiers=("acme-prod-db-1", "acme-prod-db-2"),
    redis_node_ids=("acme-prod-redis-001", "acme-prod-redis-002"),
)


def specs_by_key(resources_: MonitoredResources, thresholds: AlarmThresholds | None = None) -> dict[str, Json]:
    return {spec.key: spec.__dict__ for spec in alarm_specs(resources_, thresholds or AlarmThresholds())}


# --- alarm planning ------------------------------------------------------------------------------------------------


def test_one_alarm_per_metric_and_resource() -> None:
    assert list(specs_by_key(EVERYTHING)) == [
        "alb_5xx",
        "alb_target_5xx",
        "alb_response_time",
        "api_tg_unhealthy_hosts",
        "api_tg_green_unhealthy_hosts",
        "api_cpu",
        "api_memory",
        "worker_cpu",
        "worker_memory",
        "db_1_cpu",
        "db_1_connections",
        "db_1_freeable_memory",
        "db_2_cpu",
        "db_2_connections",
        "db_2_freeable_memory",
        "redis_1_cpu",
        "redis_1_memory",
        "redis_1_evictions",
        "redis_2_cpu",
        "redis_2_memory",
        "redis_2_evictions",
    ]


def test_absent_resources_get_no_alarm() -> None:
    assert specs_by_key(MonitoredResources()) == {}
    only_services = MonitoredResources(cluster_name="c", service_names={"worker": "w"})
    assert list(specs_by_key(only_services)) == ["worker_cpu", "worker_memory"]


def test_response_time_is_seed_001s_two_seconds_over_120_seconds() -> None:
    alarm = specs_by_key(EVERYTHING)["alb_response_time"]
    assert (alarm["metric"], alarm["statistic"], alarm["comparison"]) == (
        "TargetResponseTime",
        "Average",
        "GreaterThanThreshold",
    )
    assert (alarm["threshold"], alarm["period"] * alarm["evaluation_periods"]) == (2.0, 120)
    slower = specs_by_key(EVERYTHING, AlarmThresholds(response_time_seconds=5, response_time_window_seconds=300))
    assert (slower["alb_response_time"]["threshold"], slower["alb_response_time"]["evaluation_periods"]) == (5, 5)


def test_thresholds_reach_their_alarms() -> None:
    thresholds = AlarmThresholds(
        alb_5xx_count=7,
        ecs_cpu_percent=65,
        ecs_memory_percent=75,
        db_cpu_percent=85,
        db_connections=300,
        db_freeable_memory_mib=512,
        redis_cpu_percent=60,
        redis_memory_percent=70,
        redis_evictions=3,
        unhealthy_hosts=2,
        period_seconds=60,
        evaluation_periods=3,
    )
    specs = specs_by_key(EVERYTHING, thresholds)
    assert {key: spec["threshold"] for key, spec in specs.items() if not key.startswith(("db_2", "redis_2"))} == {
        "alb_5xx": 7,
        "alb_target_5xx": 7,
        "alb_response_time": 2.0,
        "api_tg_unhealthy_hosts": 2,
        "api_tg_green_unhealthy_hosts": 2,
        "api_cpu": 65,
        "api_memory": 75,
        "worker_cpu": 65,
        "worker_memory": 75,
        "db_1_cpu": 85,
        "db_1_connections": 300,
        "db_1_freeable_memory": 512 * MIB,
        "redis_1_cpu": 60,
        "redis_1_memory": 70,
        "redis_1_evictions": 3,
    }
    assert {
        (spec["period"], spec["evaluation_periods"]) for key, spec in specs.items() if key != "alb_response_time"
    } == {(60, 3)}


def test_missing_data_is_chosen_per_kind_of_metric() -> None:
    specs = specs_by_key(EVERYTHING)
    events = {"alb_5xx", "alb_target_5xx", "alb_response_time", "api_tg_unhealthy_hosts", "redis_1_evictions"}
    for key in events:
        assert specs[key]["missing_data"] == "notBreaching", key
    for key in ("api_cpu", "api_memory", "db_1_cpu", "db_1_connections", "db_1_freeable_memory", "redis_1_memory"):
        assert specs[key]["missing_data"] == "missing", key


def test_dimensions_name_each_resource() -> None:
    specs = specs_by_key(EVERYTHING)
    assert specs["api_tg_green_unhealthy_hosts"]["dimensions"] == {
        "LoadBalancer": "app/acme-prod/0123456789abcdef",
        "TargetGroup": "targetgroup/acme-prod-api-g/bbbb",
    }
    assert specs["worker_memory"]["dimensions"] == {"ClusterName": "acme-prod", "ServiceName": "acme-prod-worker"}
    assert specs["db_2_connections"]["dimensions"] == {"DBInstanceIdentifier": "acme-prod-db-2"}
    assert specs["redis_2_evictions"]["dimensions"] == {"CacheClusterId": "acme-prod-redis-002"}
    assert specs["db_1_freeable_memory"]["comparison"] == "LessThanThreshold"


# --- constructs ----------------------------------------------------------------------------------------------------


def topic_json(emails: tuple[str, ...]) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    topic = AlarmTopic(
        stack,
        "alarm_topic",
        name="acme-prod",
        alarm_prefix="acme-prod-",
        emails=emails,
        account_id=ACCOUNT,
        partition="aws",
        region="ap-northeast-1",
    )
    Alarms(
        stack, "alarms", name="acme-prod", specs=alarm_specs(EVERYTHING, AlarmThresholds()), topic_arn=topic.topic_arn
    )
    return synth_json(stack)


def statement(document: Json, logical_id_prefix: str, sid: str) -> Json:
    """The statement `sid` of the policy document whose logical id starts with `logical_id_prefix`."""
    documents = document["data"]["aws_iam_policy_document"]
    (policy,) = (p for key, p in documents.items() if key.rsplit("_", 1)[0] == logical_id_prefix)
    (found,) = (s for s in policy["statement"] if s.get("sid") == sid)
    return dict(found)


def test_topic_is_encrypted_with_its_own_key_that_cloudwatch_alarms_may_use() -> None:
    document = topic_json(())
    topic = only(document, "aws_sns_topic")
    assert topic["name"] == "acme-prod-alarms"
    assert topic["kms_master_key_id"].startswith("${aws_kms_key.alarm_topic_kms_key")
    grant = statement(document, "alarm_topic_kms_policy", "CloudWatchAlarmsPublish")
    assert grant["actions"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert grant["principals"] == [{"identifiers": ["cloudwatch.amazonaws.com"], "type": "Service"}]
    assert {(c["variable"], tuple(c["values"])) for c in grant["condition"]} == {
        ("aws:SourceAccount", (ACCOUNT,)),
        ("aws:SourceArn", (f"arn:aws:cloudwatch:ap-northeast-1:{ACCOUNT}:alarm:acme-prod-*",)),
    }


def test_topic_policy_lets_only_this_accounts_alarms_publish_over_tls() -> None:
    document = topic_json(())
    publish = statement(document, "alarm_topic_policy_document", "CloudWatchAlarmsPublish")
    assert publish["actions"] == ["sns:Publish"]
    (topic_arn,) = publish["resources"]
    assert topic_arn.startswith("${aws_sns_topic.alarm_topic") and topic_arn.endswith(".arn}")
    assert publish["principals"][0]["identifiers"] == ["cloudwatch.amazonaws.com"]
    assert len(publish["condition"]) == 2
    deny = statement(document, "alarm_topic_policy_document", "DenyInsecureTransport")
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"
    assert only(document, "aws_sns_topic_policy")["policy"].startswith("${data.aws_iam_policy_document.")


def test_email_subscriptions_follow_the_config() -> None:
    assert resources(topic_json(()), "aws_sns_topic_subscription") == {}
    subscriptions = resources(topic_json(("a@example.com", "b@example.com")), "aws_sns_topic_subscription")
    assert sorted((s["protocol"], s["endpoint"]) for s in subscriptions.values()) == [
        ("email", "a@example.com"),
        ("email", "b@example.com"),
    ]


def test_every_alarm_notifies_the_topic_on_alarm_and_on_ok() -> None:
    alarms = resources(topic_json(()), "aws_cloudwatch_metric_alarm")
    assert len(alarms) == len(alarm_specs(EVERYTHING, AlarmThresholds()))
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == alarm["ok_actions"]
        assert alarm["alarm_actions"][0].startswith("${aws_sns_topic.alarm_topic")
        assert alarm["alarm_name"].startswith("acme-prod-")  # the prefix the topic and key grant admit
        assert alarm["treat_missing_data"] in ("notBreaching", "missing")
    response = next(a for a in alarms.values() if a["metric_name"] == "TargetResponseTime")
    assert (response["alarm_name"], response["period"], response["evaluation_periods"]) == (
        "acme-prod-alb-response-time",
        60,
        2,
    )


def dashboard_widgets(resources_: MonitoredResources) -> list[Json]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    Dashboard(stack, "dashboard", name="acme-prod", resources=resources_, region="ap-northeast-1")
    dashboard = only(synth_json(stack), "aws_cloudwatch_dashboard")
    assert dashboard["dashboard_name"] == "acme-prod"
    widgets: list[Json] = json.loads(dashboard["dashboard_body"])["widgets"]
    return widgets


def test_dashboard_has_a_widget_per_service_and_data_store_and_the_alb() -> None:
    titles = [widget["properties"]["title"] for widget in dashboard_widgets(EVERYTHING)]
    assert titles == [
        "ALB requests and 5xx",
        "ALB target response time",
        "Unhealthy targets per target group",
        "Service api: CPU and memory %",
        "Service worker: CPU and memory %",
        "DB instance 1: CPU %, connections, freeable memory",
        "DB instance 2: CPU %, connections, freeable memory",
        "Redis node 1: engine CPU %, memory %, evictions",
        "Redis node 2: engine CPU %, memory %, evictions",
    ]
    worker = dashboard_widgets(MonitoredResources(cluster_name="c", service_names={"worker": "w"}))
    assert [widget["properties"]["title"] for widget in worker] == ["Service worker: CPU and memory %"]
    assert worker[0]["properties"]["metrics"][0] == [
        "AWS/ECS",
        "CPUUtilization",
        "ClusterName",
        "c",
        "ServiceName",
        "w",
    ]


def test_dashboard_widgets_tile_two_per_row() -> None:
    positions = [(widget["x"], widget["y"]) for widget in dashboard_widgets(EVERYTHING)[:4]]
    assert positions == [(0, 0), (12, 0), (0, 6), (12, 6)]


def test_monitoring_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    topic = AlarmTopic(
        stack,
        "alarm_topic",
        name="acme-prod",
        alarm_prefix="acme-prod-",
        emails=("ops@example.com",),
        account_id=ACCOUNT,
        partition="aws",
        region="ap-northeast-1",
    )
    Alarms(
        stack, "alarms", name="acme-prod", specs=alarm_specs(EVERYTHING, AlarmThresholds()), topic_arn=topic.topic_arn
    )
    Dashboard(stack, "dashboard", name="acme-prod", resources=EVERYTHING, region="ap-northeast-1")
    synth_and_validate(app, "module", tmp_path, terraform_env)
