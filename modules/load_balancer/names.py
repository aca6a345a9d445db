"""Names of the load balancer's resources within AWS's 32-character limit, as plain functions."""

from __future__ import annotations

import hashlib

from config.services import ServiceConfig

AWS_NAME_LIMIT = 32
"""Longest name AWS accepts for a load balancer or a target group."""

TARGET_TYPE = "ip"
"""Fargate awsvpc tasks register by IP."""

TARGET_PROTOCOL = "HTTP"
"""The ALB talks plain HTTP to the tasks inside the VPC (TLS ends at the ALB)."""

SHAPE_HASH_LENGTH = 4
"""Hex characters of the target group's shape hash in its name."""


def aws_name(*parts: str) -> str:
    """`-`-joined parts, shortened to AWS's 32-character limit with a stable hash suffix when too long."""
    full = "-".join(parts)
    if len(full) <= AWS_NAME_LIMIT:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: AWS_NAME_LIMIT - len(digest) - 1].rstrip('-')}-{digest}"


def protocol_version(service: ServiceConfig) -> str:
    """The target group's protocol version: GRPC for gRPC services, HTTP1 otherwise."""
    return "GRPC" if service.protocol == "grpc" else "HTTP1"


def target_group_shape(service: ServiceConfig) -> str:
    """A short hash of the arguments whose change replaces a target group (port, protocol, version, target type).

    Target group names are unique per account and region, and a replacement must exist before the old group is
    destroyed (listeners still forward to it): a name that changes with exactly these arguments lets the
    replacement be created first (create_before_destroy) without a duplicate-name error.
    """
    shape = "/".join((str(service.port), TARGET_PROTOCOL, protocol_version(service), TARGET_TYPE))
    return hashlib.sha256(shape.encode()).hexdigest()[:SHAPE_HASH_LENGTH]


def target_group_name(prefix: str, service_name: str, service: ServiceConfig, *, green: bool = False) -> str:
    """`{prefix}-{service}[-green]-{shape}`, shortened to 32 characters; the shape hash always survives."""
    shape = target_group_shape(service)
    stem = aws_name(prefix, service_name, *(("green",) if green else ()))
    room = AWS_NAME_LIMIT - len(shape) - 1
    if len(stem) > room:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:6]
        stem = f"{stem[: room - len(digest) - 1].rstrip('-')}-{digest}"
    return f"{stem}-{shape}"
