"""Cluster-level ECS settings: Container Insights, ECS Exec logging, CPU architecture, container health checks.

Per-service settings (image tag, size, scaling, deployment, Spot) live in `config.services.ServiceConfig`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention

EcsDeploymentConfig = Literal[
    "CodeDeployDefault.ECSAllAtOnce",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes",
]
"""How CodeDeploy shifts production traffic to the replacement task set."""


class ContainerHealthCheckConfig(ConfigModel):
    """Timing of the container health check of every service that sets `health_check_command`."""

    interval: int = Field(default=30, ge=5, le=300)
    """Seconds between checks."""
    timeout: int = Field(default=5, ge=2, le=60)
    """Seconds a check may take before it counts as failed."""
    retries: int = Field(default=3, ge=1, le=10)
    """Consecutive failures before the container is unhealthy."""
    start_period: int = Field(default=60, ge=0, le=300)
    """Seconds after start during which failures do not count (boot time)."""

    @model_validator(mode="after")
    def _timeout_fits(self) -> ContainerHealthCheckConfig:
        if self.timeout >= self.interval:
            raise FieldError(
                "timeout", f"{self.timeout} s must be shorter than the interval ({self.interval} s) between checks"
            )
        return self


class ComputeConfig(ConfigModel):
    """One ECS cluster on Fargate and Fargate Spot that runs every enabled service."""

    container_insights: Literal["enabled", "enhanced", "disabled"] = "enabled"
    """CloudWatch Container Insights level of the cluster."""
    exec_log_retention_days: int = 30
    """Retention of the KMS-encrypted log group that records ECS Exec sessions."""
    cpu_architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """CPU architecture of every task (images must be built for it; ARM64 on Spot needs platform 1.4.0+)."""
    platform_version: str = Field(default="LATEST", pattern=r"^(LATEST|1\.[0-9]+\.[0-9]+)$")
    """Fargate platform version of every service."""
    container_health_check: ContainerHealthCheckConfig = ContainerHealthCheckConfig()
    """Timing of container health checks."""
    blue_green_deployment_config: EcsDeploymentConfig = "CodeDeployDefault.ECSAllAtOnce"
    """CodeDeploy traffic shifting for blue/green services."""
    ignore_task_definition_changes: bool = False
    """Let CI register task definitions for rolling services: Terraform then ignores `task_definition` drift."""

    @model_validator(mode="after")
    def _retention_is_allowed(self) -> ComputeConfig:
        check_log_retention(self.exec_log_retention_days, "exec_log_retention_days")
        return self
