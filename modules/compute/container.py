"""The container definition of a service's task, as the JSON document ECS registers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.compute import ContainerHealthCheckConfig
from config.services import ServiceConfig

TMP_VOLUME = "tmp"
"""The task-local scratch volume mounted at /tmp when the root filesystem is read-only."""


def health_check_command(command: tuple[str, ...]) -> list[str]:
    """The ECS form of a health check: as given when it starts with CMD / CMD-SHELL, else wrapped.

    A single string is a shell command (`CMD-SHELL`); several strings are an exec-form argv (`CMD`).
    """
    if command[0] in ("CMD", "CMD-SHELL"):
        return list(command)
    if len(command) == 1:
        return ["CMD-SHELL", command[0]]
    return ["CMD", *command]


def container_definition(
    *,
    container_name: str,
    config: ServiceConfig,
    image: str,
    log_group_name: str,
    region: str,
    environment: Mapping[str, str],
    secrets: Mapping[str, str],
    health_check: ContainerHealthCheckConfig,
) -> dict[str, Any]:
    """The one essential container of a service; lists are sorted by name so the JSON is deterministic.

    `environment` holds the resolved plain variables (config values with stack references replaced, plus what
    the platform tells the app); `secrets` the `valueFrom` ARN of each secret variable.
    """
    definition: dict[str, Any] = {
        "name": container_name,
        "image": image,
        "essential": True,
        "readonlyRootFilesystem": config.readonly_root_filesystem,
    }
    if config.command:
        definition["command"] = list(config.command)
    if config.port is not None:
        # hostPort and protocol are what ECS fills in itself; spelling them out avoids a perpetual diff.
        definition["portMappings"] = [{"containerPort": config.port, "hostPort": config.port, "protocol": "tcp"}]
    if environment:
        definition["environment"] = [{"name": key, "value": environment[key]} for key in sorted(environment)]
    if secrets:
        definition["secrets"] = [{"name": key, "valueFrom": secrets[key]} for key in sorted(secrets)]
    if config.health_check_command:
        definition["healthCheck"] = {
            "command": health_check_command(config.health_check_command),
            "interval": health_check.interval,
            "timeout": health_check.timeout,
            "retries": health_check.retries,
            "startPeriod": health_check.start_period,
        }
    if config.readonly_root_filesystem:
        # Most runtimes need somewhere to write temp files; /tmp lives on the task's ephemeral storage.
        definition["mountPoints"] = [{"sourceVolume": TMP_VOLUME, "containerPath": "/tmp", "readOnly": False}]
    if config.exec:
        # An init process reaps the SSM agent's children that ECS Exec sessions leave behind.
        definition["linuxParameters"] = {"initProcessEnabled": True}
    definition["logConfiguration"] = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": container_name,
        },
    }
    return definition
