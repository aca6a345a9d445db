"""The body of an environment's CloudWatch dashboard: the ALB, a widget per service and per data store (no jsii)."""

from __future__ import annotations

from typing import Any

from modules.monitoring.alarms import MonitoredResources

WIDTH, HEIGHT = 12, 6
"""Two widgets per row of the 24-column grid."""


def _widget(title: str, region: str, metrics: list[list[Any]], *, stat: str = "Average") -> dict[str, Any]:
    return {
        "type": "metric",
        "width": WIDTH,
        "height": HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": stat,
            "period": 300,
            "metrics": metrics,
        },
    }


def dashboard_body(resources: MonitoredResources, region: str) -> dict[str, Any]:
    """The dashboard JSON (as a dict): one widget per ALB aspect, per service, per DB instance and per Redis node."""
    widgets: list[dict[str, Any]] = []
    lb = resources.alb_arn_suffix
    if lb is not None:
        elb = "AWS/ApplicationELB"
        widgets += [
            _widget(
                "ALB requests and 5xx",
                region,
                [
                    [elb, "RequestCount", "LoadBalancer", lb],
                    [elb, "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb],
                    [elb, "HTTPCode_Target_5XX_Count", "LoadBalancer", lb],
                ],
                stat="Sum",
            ),
            _widget("ALB target response time", region, [[elb, "TargetResponseTime", "LoadBalancer", lb]]),
        ]
        if resources.target_groups:
            widgets.append(
                _widget(
                    "Unhealthy targets per target group",
                    region,
                    [
                        [
                            elb,
                            "UnHealthyHostCount",
                            "LoadBalancer",
                            lb,
                            "TargetGroup",
                            group.arn_suffix,
                            {"label": group.label},
                        ]
                        for group in resources.target_groups
                    ],
                    stat="Maximum",
                )
            )
    if resources.cluster_name is not None:
        for name, service_name in resources.service_names.items():
            dims = ["ClusterName", resources.cluster_name, "ServiceName", service_name]
            widgets.append(
                _widget(
                    f"Service {name}: CPU and memory %",
                    region,
                    [["AWS/ECS", "CPUUtilization", *dims], ["AWS/ECS", "MemoryUtilization", *dims]],
                )
            )
    for number, instance in enumerate(resources.db_instance_identifiers, start=1):
        dims = ["DBInstanceIdentifier", instance]
        widgets.append(
            _widget(
                f"DB instance {number}: CPU %, connections, freeable memory",
                region,
                [
                    ["AWS/RDS", "CPUUtilization", *dims],
                    ["AWS/RDS", "DatabaseConnections", *dims, {"yAxis": "right"}],
                    ["AWS/RDS", "FreeableMemory", *dims, {"yAxis": "right"}],
                ],
            )
        )
    for number, node in enumerate(resources.redis_node_ids, start=1):
        dims = ["CacheClusterId", node]
        widgets.append(
            _widget(
                f"Redis node {number}: engine CPU %, memory %, evictions",
                region,
                [
                    ["AWS/ElastiCache", "EngineCPUUtilization", *dims],
                    ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", *dims],
                    ["AWS/ElastiCache", "Evictions", *dims, {"stat": "Sum", "yAxis": "right"}],
                ],
            )
        )
    for index, widget in enumerate(widgets):
        widget["x"], widget["y"] = (index % 2) * WIDTH, (index // 2) * HEIGHT
    return {"widgets": widgets}
