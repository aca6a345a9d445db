"""Target-group health checks: HTTP paths and matchers, with the gRPC health service as the gRPC default."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroupHealthCheck

from config.routing import routing_of
from config.services import ServiceConfig

GRPC_HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check"
"""The standard gRPC health service, probed when a gRPC service sets no health_check_path of its own."""

GRPC_HEALTH_CHECK_MATCHER = "0-99"
"""Any gRPC status counts as alive when a gRPC service sets no matcher (a server that answers at all is up)."""

HEALTH_CHECK_TIMEOUT = 5
"""Seconds to wait for a health-check answer (shortened below the interval when the interval is 5 s)."""


def health_check(service: ServiceConfig) -> LbTargetGroupHealthCheck:
    """The health check of a service's target groups; gRPC services default to the gRPC health service.

    A configured matcher is already valid for the protocol: ServiceConfig refuses an HTTP code on a gRPC
    service (config/health_checks.py), so no ServiceConfig reaching this point can hold one.
    """
    routing = routing_of(service)
    path, matcher = routing.health_check_path, routing.health_check_matcher
    if service.protocol == "grpc":
        if "health_check_path" not in routing.model_fields_set:
            path = GRPC_HEALTH_CHECK_PATH
        if "health_check_matcher" not in routing.model_fields_set:
            matcher = GRPC_HEALTH_CHECK_MATCHER
    return LbTargetGroupHealthCheck(
        enabled=True,
        protocol="HTTP",
        port="traffic-port",
        path=path,
        matcher=matcher,
        interval=routing.health_check_interval,
        timeout=(
            routing.health_check_timeout
            if routing.health_check_timeout is not None
            else min(HEALTH_CHECK_TIMEOUT, routing.health_check_interval - 1)
        ),
        healthy_threshold=routing.healthy_threshold,
        unhealthy_threshold=routing.unhealthy_threshold,
    )
