"""Application Auto Scaling of one ECS service: its scalable target and one target-tracking policy per metric."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensions,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from constructs import Construct

from config.services import AutoscalingConfig, ServiceConfig
from modules.compute.wiring import ServiceWiring


def gated(count: int, no_image: Any) -> Any:
    """A task count: 0 while the service has no image tag (True, or a plan-time condition), else `count`."""
    if no_image is True:
        return 0
    if no_image is None:
        return count
    return Token.as_number(Fn.conditional(no_image, 0, count))


def service_autoscaling(
    scope: Construct,
    *,
    key: str,
    name: str,
    cluster_name: str,
    service_name: str,
    config: ServiceConfig,
    wiring: ServiceWiring,
    no_image: Any,
    tags: Mapping[str, str],
) -> None:
    """Scale the service between `min` and `max` (0 while it has no image) on CPU, memory, requests or a custom metric.

    Resources are created in `scope` (the Compute construct) under `{service}_scaling` and `{service}_{metric}_scaling`.
    """
    ident, full_name = key.replace("-", "_"), f"{name}-{key}"
    scaling = config.autoscaling
    assert scaling is not None
    target = AppautoscalingTarget(
        scope,
        f"{ident}_scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=f"service/{cluster_name}/{service_name}",
        min_capacity=gated(scaling.min, no_image),
        max_capacity=gated(scaling.max, no_image),
        tags=dict(tags),
    )
    policies: dict[str, Any] = {}
    if scaling.cpu_target is not None:
        policies["cpu"] = _tracking(scaling, scaling.cpu_target, predefined="ECSServiceAverageCPUUtilization")
    if scaling.memory_target is not None:
        policies["memory"] = _tracking(scaling, scaling.memory_target, predefined="ECSServiceAverageMemoryUtilization")
    if scaling.requests_per_target is not None:
        targets = wiring.targets
        assert targets is not None and wiring.alb_arn_suffix is not None  # checked in check_wiring
        policies["requests"] = _tracking(
            scaling,
            scaling.requests_per_target,
            predefined="ALBRequestCountPerTarget",
            resource_label=f"{wiring.alb_arn_suffix}/{targets.primary_arn_suffix}",
        )
    if scaling.custom_metric is not None:
        metric = scaling.custom_metric
        policies["custom"] = _tracking(
            scaling,
            metric.target,
            custom=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification(
                namespace=metric.namespace,
                metric_name=metric.name,
                statistic=metric.statistic,
                dimensions=[
                    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationDimensions(
                        name=dimension, value=value
                    )
                    for dimension, value in sorted(metric.published_dimensions(name).items())
                ],
            ),
        )
    for suffix, tracking in policies.items():
        AppautoscalingPolicy(
            scope,
            f"{ident}_{suffix}_scaling",
            name=f"{full_name}-{suffix}",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=tracking,
        )


def _tracking(
    scaling: AutoscalingConfig,
    target_value: float,
    *,
    predefined: str | None = None,
    resource_label: str | None = None,
    custom: Any = None,
) -> Any:
    """One target-tracking configuration with the service's cooldowns, on a predefined or a custom metric."""
    return AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
        target_value=float(target_value),
        scale_in_cooldown=scaling.scale_in_cooldown,
        scale_out_cooldown=scaling.scale_out_cooldown,
        predefined_metric_specification=(
            AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                predefined_metric_type=predefined, resource_label=resource_label
            )
            if predefined is not None
            else None
        ),
        customized_metric_specification=custom,
    )
