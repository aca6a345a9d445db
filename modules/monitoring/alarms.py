"""Which alarms an environment gets: one spec per alarm, planned from its resources and thresholds (no jsii)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from config.monitoring import AlarmThresholds

MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]

NOT_BREACHING: MissingData = "notBreaching"
"""For counts of events (5xx, evictions) and per-request values (response time): no datapoint means no request
or no event, which is healthy. An idle environment must not page."""

MISSING: MissingData = "missing"
"""For utilisation and capacity metrics, which AWS publishes every period while the resource exists: a gap means
the resource is gone or being replaced, so the alarm goes to INSUFFICIENT_DATA (visible on the dashboard) instead
of guessing OK or ALARM from a value that was not measured."""

MIB = 1024 * 1024


@dataclass(frozen=True)
class TargetGroupMetrics:
    """A target group's CloudWatch dimension (`targetgroup/<name>/<id>`) and the label its alarm uses."""

    label: str
    arn_suffix: str


@dataclass(frozen=True)
class MonitoredResources:
    """The CloudWatch dimensions of everything alarmed and charted; absent parts are None or empty."""

    alb_arn_suffix: str | None = None
    target_groups: Sequence[TargetGroupMetrics] = ()
    cluster_name: str | None = None
    service_names: Mapping[str, str] = field(default_factory=dict)
    db_instance_identifiers: Sequence[str] = ()
    redis_node_ids: Sequence[str] = ()


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm."""

    key: str
    """Stable snake_case id of the alarm within the environment (its construct id and name suffix)."""
    description: str
    namespace: str
    metric: str
    statistic: str
    dimensions: Mapping[str, str]
    comparison: str
    threshold: float
    period: int
    evaluation_periods: int
    missing_data: MissingData


def alarm_specs(resources: MonitoredResources, thresholds: AlarmThresholds) -> list[AlarmSpec]:
    """Every alarm of the environment, in a stable order: ALB, target groups, services, database, Redis."""
    t = thresholds
    period, periods = t.period_seconds, t.evaluation_periods
    specs: list[AlarmSpec] = []

    def add(  # noqa: PLR0917  (one alarm's fields)
        key: str,
        description: str,
        namespace: str,
        metric: str,
        statistic: str,
        dimensions: Mapping[str, str],
        comparison: str,
        threshold: float,
        missing: MissingData,
        *,
        window: tuple[int, int] | None = None,
    ) -> None:
        alarm_period, evaluations = window or (period, periods)
        specs.append(
            AlarmSpec(
                key,
                description,
                namespace,
                metric,
                statistic,
                dict(dimensions),
                comparison,
                threshold,
                alarm_period,
                evaluations,
                missing,
            )
        )

    above, at_least, below = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"
    lb = resources.alb_arn_suffix
    if lb is not None:
        dims = {"LoadBalancer": lb}
        add(
            "alb_5xx",
            f"ALB-generated 5xx >= {t.alb_5xx_count} per {period} s",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            "Sum",
            dims,
            at_least,
            t.alb_5xx_count,
            NOT_BREACHING,
        )
        add(
            "alb_target_5xx",
            f"Target 5xx >= {t.alb_5xx_count} per {period} s",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            "Sum",
            dims,
            at_least,
            t.alb_5xx_count,
            NOT_BREACHING,
        )
        minutes = t.response_time_window_seconds // 60
        add(
            "alb_response_time",
            f"Average target response time > {t.response_time_seconds:g} s for {t.response_time_window_seconds} s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            "Average",
            dims,
            above,
            t.response_time_seconds,
            NOT_BREACHING,
            window=(60, minutes),
        )
        for group in resources.target_groups:
            # A blue/green service's idle group has no targets and no datapoints: not breaching.
            add(
                f"{group.label}_unhealthy_hosts",
                f"Unhealthy targets in {group.label} >= {t.unhealthy_hosts}",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                "Maximum",
                {"LoadBalancer": lb, "TargetGroup": group.arn_suffix},
                at_least,
                t.unhealthy_hosts,
                NOT_BREACHING,
            )
    if resources.cluster_name is not None:
        for name, service_name in resources.service_names.items():
            dims = {"ClusterName": resources.cluster_name, "ServiceName": service_name}
            add(
                f"{name}_cpu",
                f"CPU of service {name} > {t.ecs_cpu_percent:g} %",
                "AWS/ECS",
                "CPUUtilization",
                "Average",
                dims,
                above,
                t.ecs_cpu_percent,
                MISSING,
            )
            add(
                f"{name}_memory",
                f"Memory of service {name} > {t.ecs_memory_percent:g} %",
                "AWS/ECS",
                "MemoryUtilization",
                "Average",
                dims,
                above,
                t.ecs_memory_percent,
                MISSING,
            )
    for number, instance in enumerate(resources.db_instance_identifiers, start=1):
        dims = {"DBInstanceIdentifier": instance}
        label = f"db_{number}"
        add(
            f"{label}_cpu",
            f"CPU of DB instance {number} > {t.db_cpu_percent:g} %",
            "AWS/RDS",
            "CPUUtilization",
            "Average",
            dims,
            above,
            t.db_cpu_percent,
            MISSING,
        )
        add(
            f"{label}_connections",
            f"Connections to DB instance {number} > {t.db_connections}",
            "AWS/RDS",
            "DatabaseConnections",
            "Maximum",
            dims,
            above,
            t.db_connections,
            MISSING,
        )
        add(
            f"{label}_freeable_memory",
            f"Freeable memory of DB instance {number} < {t.db_freeable_memory_mib} MiB",
            "AWS/RDS",
            "FreeableMemory",
            "Minimum",
            dims,
            below,
            t.db_freeable_memory_mib * MIB,
            MISSING,
        )
    for number, node in enumerate(resources.redis_node_ids, start=1):
        dims = {"CacheClusterId": node}
        label = f"redis_{number}"
        add(
            f"{label}_cpu",
            f"Redis engine CPU of node {number} > {t.redis_cpu_percent:g} %",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            "Average",
            dims,
            above,
            t.redis_cpu_percent,
            MISSING,
        )
        add(
            f"{label}_memory",
            f"Redis memory of node {number} > {t.redis_memory_percent:g} % of maxmemory",
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            "Average",
            dims,
            above,
            t.redis_memory_percent,
            MISSING,
        )
        add(
            f"{label}_evictions",
            f"Redis evictions on node {number} >= {t.redis_evictions} per {period} s",
            "AWS/ElastiCache",
            "Evictions",
            "Sum",
            dims,
            at_least,
            t.redis_evictions,
            NOT_BREACHING,
        )
    return specs
