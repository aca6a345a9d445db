"""Monitoring layer: the alarm topic, alarms and dashboard over the ALB, the services and the data stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from modules.monitoring import (
    Alarms,
    AlarmTopic,
    Dashboard,
    MonitoredResources,
    TargetGroupMetrics,
    TrailAlarms,
    alarm_specs,
)
from stacks.layers.account import AccountOutputs
from stacks.layers.audit import AuditOutputs
from stacks.layers.compute import ComputeOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs
from stacks.layers.load_balancing import LoadBalancingOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class MonitoringOutputs:
    """The alarm topic and what watches the environment (None / empty where monitoring is off)."""

    alarm_topic_arn: str | None
    alarm_names: Mapping[str, str]
    trail_alarm_names: Mapping[str, str]
    """CIS alarms on the CloudTrail log group, by filter key (empty unless alarms, audit and trail_alarms are on)."""
    dashboard_name: str | None


def monitored_resources(
    *, load_balancing: LoadBalancingOutputs | None, data: DataOutputs, compute: ComputeOutputs
) -> MonitoredResources:
    """The CloudWatch dimensions of the environment's ALB, target groups, services, DB instances and Redis nodes."""
    groups: list[TargetGroupMetrics] = []
    if load_balancing is not None:
        for name, targets in load_balancing.target_groups.items():
            groups.append(TargetGroupMetrics(f"{name}_tg", targets.primary_arn_suffix))
            if targets.secondary_arn_suffix is not None:
                groups.append(TargetGroupMetrics(f"{name}_tg_green", targets.secondary_arn_suffix))
    return MonitoredResources(
        alb_arn_suffix=load_balancing.alb_arn_suffix if load_balancing is not None else None,
        target_groups=tuple(groups),
        cluster_name=compute.cluster_name if compute.service_names else None,
        service_names=dict(compute.service_names),
        db_instance_identifiers=data.database.instance_identifiers if data.database is not None else (),
        redis_node_ids=data.cache.member_cluster_ids if data.cache is not None else (),
    )


def monitoring_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    load_balancing: LoadBalancingOutputs | None,
    data: DataOutputs,
    compute: ComputeOutputs,
    audit: AuditOutputs,
) -> MonitoringOutputs:
    """Alarms notifying the environment's topic, and the dashboard, each when `[monitoring]` turns it on; with
    `[audit]` on too, the CIS metric filters and alarms on the trail's log group (unless `trail_alarms = false`)."""
    config = env.config.monitoring
    resources = monitored_resources(load_balancing=load_balancing, data=data, compute=compute)
    topic_arn, alarm_names, trail_alarm_names = None, {}, {}
    if config.alarms:
        topic = AlarmTopic(
            scope,
            "alarm_topic",
            name=env.prefix,
            alarm_prefix=f"{env.prefix}-",
            emails=config.emails,
            account_id=account.account_id,
            partition=account.partition,
            region=env.region,
        )
        alarms = Alarms(
            scope,
            "alarms",
            name=env.prefix,
            specs=alarm_specs(resources, config.thresholds),
            topic_arn=topic.topic_arn,
        )
        topic_arn, alarm_names = topic.topic_arn, dict(alarms.alarm_names)
        if config.trail_alarms and audit.log_group_name is not None:
            trail_alarm_names = dict(
                TrailAlarms(
                    scope,
                    "trail_alarms",
                    name=env.prefix,
                    log_group_name=audit.log_group_name,
                    topic_arn=topic.topic_arn,
                ).alarm_names
            )
    dashboard_name = None
    if config.dashboard:
        dashboard_name = Dashboard(
            scope, "dashboard", name=env.prefix, resources=resources, region=env.region
        ).dashboard_name
    return MonitoringOutputs(
        alarm_topic_arn=topic_arn,
        alarm_names=alarm_names,
        trail_alarm_names=trail_alarm_names,
        dashboard_name=dashboard_name,
    )


def monitoring_outputs(monitoring: MonitoringOutputs) -> list[StackOutput]:
    """The alarm topic and dashboard, when they exist."""
    outputs = []
    if monitoring.alarm_topic_arn is not None:
        outputs.append(
            StackOutput(
                "monitoring", "alarm_topic_arn", monitoring.alarm_topic_arn, "SNS topic the CloudWatch alarms notify"
            )
        )
    if monitoring.dashboard_name is not None:
        outputs.append(
            StackOutput(
                "monitoring", "dashboard_name", monitoring.dashboard_name, "CloudWatch dashboard of the environment"
            )
        )
    return outputs
