"""ECS services as config: what each container runs, how it is reached, deployed and scaled.

Services are a table keyed by name (`[defaults.services.api]`, `[environments.prod.services.api]`) so an
environment overrides one field of one service without restating the list. Shared by the compute, load
balancer, registry and security modules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention
from config.health_checks import matcher_problem
from config.storage import BucketAccess, QueueAccess, StorageKey

ServiceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,20}$")]
"""A service name: the {component} of its resource names and its ECR repository name."""

IMAGE_TAG_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
"""What Docker and ECR accept as an image tag."""

NO_IMAGE_TAG = "no-image-yet"
"""The deployed-tag value meaning "nothing pushed yet": the service then runs 0 tasks, so no image is pulled."""

MOVING_TAG = "latest"
"""The conventional tag that moves with every push; an IMMUTABLE repository refuses its second push."""

EnvVarName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]

SecretReference = Annotated[str, Field(pattern=r"^(secret|ssm|db|redis):[A-Za-z0-9_./-]+$")]
"""Where a container secret comes from: `secret:<name>` (a security.secrets entry), `ssm:<name>` (a
security.parameters entry), `db:<json key>` of the RDS-managed master secret (username or password), or
`redis:auth_token`."""

FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
"""CPU units -> memory (MiB) combinations Fargate accepts."""


PathPattern = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.$/~\"'@:+&*?-]{1,128}$")]
"""An ALB path-pattern value: case-sensitive, at most 128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?."""

HostHeader = Annotated[str, Field(max_length=128, pattern=r"^[A-Za-z0-9*?-]*(\.[A-Za-z0-9*?-]*)*\.[A-Za-z*?]+$")]
"""An ALB host-header value: at most 128 characters of A-Z a-z 0-9 - . * ?, at least one dot, letters after
the last one (matched case-insensitively by the ALB)."""

HealthCheckPath = Annotated[str, Field(pattern=r"^/[\x21-\x7e]{0,1023}$")]
"""The target group's health-check path: starts with `/`, at most 1024 printable ASCII characters."""


class RoutingConfig(ConfigModel):
    """How the ALB reaches a web service: listener-rule conditions and the target group's health check."""

    path_patterns: tuple[PathPattern, ...] = ()
    host_headers: tuple[HostHeader, ...] = ()
    default: bool = False
    health_check_path: HealthCheckPath = "/health"
    health_check_matcher: str = "200"
    health_check_interval: int = Field(default=30, ge=5, le=300)
    health_check_timeout: int | None = Field(default=None, ge=2, le=120)
    """Seconds the ALB waits for a health-check answer (seed 001: 8 s every 45 s); unset means 5 s, or 4 s with a
    5 s interval. Must be shorter than health_check_interval."""
    healthy_threshold: int = Field(default=2, ge=2, le=10)
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    deregistration_delay: int = Field(default=30, ge=0, le=3600)
    stickiness: bool | None = None
    stickiness_seconds: int = Field(default=86400, ge=1, le=604800)
    priority_offset: int = Field(default=0, ge=0, le=99)
    """Shifts the hash slot of every listener rule of this service inside its specificity level (modulo 100); set
    it only when config checks report that a new service's rule lands on another service's priority."""

    @model_validator(mode="after")
    def _reachable(self) -> RoutingConfig:
        if not self.default and not self.path_patterns and not self.host_headers:
            raise FieldError(
                "path_patterns",
                "a web service needs path_patterns, host_headers or default = true so the ALB can route to it",
            )
        if self.health_check_timeout is not None and self.health_check_timeout >= self.health_check_interval:
            raise FieldError(
                "health_check_timeout",
                f"{self.health_check_timeout} s is not shorter than health_check_interval "
                f"({self.health_check_interval} s); the ALB needs the answer before the next check",
            )
        return self


ENVIRONMENT_DIMENSION = "Environment"
"""Dimension the platform adds to every custom scaling metric, valued `{project}-{env}`, so environments (and
projects) sharing an account and a namespace never scale on each other's data."""

METRIC_VARIABLES = {
    "namespace": "SCALING_METRIC_NAMESPACE",
    "name": "SCALING_METRIC_NAME",
    "dimensions": "SCALING_METRIC_DIMENSIONS",
}
"""Environment variables that tell the app where to publish its scaling metric: namespace, metric name, and the
exact dimension set as a JSON object (CloudWatch matches the full set, so publish all of them, no more)."""


class CustomMetricConfig(ConfigModel):
    """A CloudWatch metric the service publishes itself, e.g. the realtime server's ActiveConnections."""

    namespace: str = Field(pattern=r"^[A-Za-z0-9._/#: -]{1,255}$")
    name: str = Field(min_length=1, max_length=255)
    statistic: Literal["Average", "Sum", "Maximum", "Minimum", "SampleCount"] = "Average"
    target: float = Field(gt=0, allow_inf_nan=False)
    dimensions: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _environment_is_ours(self) -> CustomMetricConfig:
        if self.namespace.startswith("AWS/"):
            raise FieldError("namespace", f"'{self.namespace}': AWS/ namespaces are reserved for AWS services")
        if ENVIRONMENT_DIMENSION in self.dimensions:
            raise FieldError(
                f"dimensions.{ENVIRONMENT_DIMENSION}",
                f"the platform sets {ENVIRONMENT_DIMENSION} = '<project>-<env>' itself so environments sharing an "
                "account do not mix; remove it",
            )
        return self

    def published_dimensions(self, environment: str) -> dict[str, str]:
        """The exact dimension set the app publishes and the scaling policy reads: config's plus Environment."""
        return {**self.dimensions, ENVIRONMENT_DIMENSION: environment}


class AutoscalingConfig(ConfigModel):
    """Target-tracking autoscaling of the desired count; one policy per target that is set."""

    min: int = Field(default=1, ge=0, le=1000)
    max: int = Field(default=2, ge=1, le=1000)
    cpu_target: float | None = Field(default=70, gt=0, le=100)
    memory_target: float | None = Field(default=None, gt=0, le=100)
    requests_per_target: int | None = Field(default=None, gt=0)
    custom_metric: CustomMetricConfig | None = None
    scale_in_cooldown: int = Field(default=300, ge=0, le=3600)
    scale_out_cooldown: int = Field(default=60, ge=0, le=3600)

    @model_validator(mode="after")
    def _range(self) -> AutoscalingConfig:
        if self.min > self.max:
            raise FieldError("min", f"min ({self.min}) is greater than max ({self.max})")
        if (
            self.cpu_target is None
            and self.memory_target is None
            and self.requests_per_target is None
            and self.custom_metric is None
        ):
            raise FieldError(
                "cpu_target", "set at least one of cpu_target, memory_target, requests_per_target or custom_metric"
            )
        return self


class DeploymentConfig(ConfigModel):
    """How new task definitions roll out: ECS rolling update (default) or CodeDeploy blue/green."""

    strategy: Literal["rolling", "blue_green"] = "rolling"
    min_healthy_percent: int = Field(default=100, ge=0, le=100)
    max_percent: int = Field(default=200, ge=100, le=200)
    circuit_breaker: bool = True
    health_check_grace_period: int = Field(default=60, ge=0, le=2147483647)
    blue_green_termination_wait_minutes: int = Field(default=5, ge=0, le=2880)


class SpotConfig(ConfigModel):
    """Fargate Spot with an on-demand base: `base` tasks on FARGATE, the rest split by weight."""

    enabled: bool = False
    base: int = Field(default=1, ge=0, le=100000)
    on_demand_weight: int = Field(default=1, ge=0, le=1000)
    spot_weight: int = Field(default=3, ge=0, le=1000)


class ServiceConfig(ConfigModel):
    """One ECS Fargate service and its container."""

    enabled: bool = True
    kind: Literal["web", "worker"] = "web"
    protocol: Literal["http", "grpc", "websocket"] = "http"
    port: int | None = Field(default=None, ge=1, le=65535)
    image_tag: str | None = Field(default=None, pattern=IMAGE_TAG_PATTERN)
    """Image tag baked into the synth (a pinned release, or `latest` in a MUTABLE registry). Unset: the tag CI
    deployed, read at plan time from the SSM parameter `/{project}/{env}/image-tag/<service>` (CI writes the git
    SHA there, then applies); until a tag exists the service runs 0 tasks, so a first apply on empty repositories
    never starts tasks without an image, and a platform apply never rolls the application back."""
    command: tuple[str, ...] = ()
    cpu: int = 256
    memory: int = 512
    desired_count: int = Field(default=1, ge=0, le=1000)
    environment: dict[EnvVarName, str] = Field(default_factory=dict)
    """Plain environment variables; values may reference stack values such as `${db.host}` (config.stack_values)."""
    secrets: dict[EnvVarName, SecretReference] = Field(default_factory=dict)
    health_check_command: tuple[str, ...] = ()
    log_retention_days: int = 30
    readonly_root_filesystem: bool = False
    exec: bool = False
    depends_on: tuple[ServiceName, ...] = ()
    data_access: tuple[Literal["database", "cache"], ...] | None = None
    buckets: dict[StorageKey, BucketAccess] = Field(default_factory=dict)
    """Application buckets the service may use, by key, and how; it gets each one's name as `<KEY>_BUCKET`."""
    queues: dict[StorageKey, QueueAccess] = Field(default_factory=dict)
    """SQS queues the service may use, by key, and how; it gets each one's URL as `<KEY>_QUEUE_URL`."""
    routing: RoutingConfig | None = None
    autoscaling: AutoscalingConfig | None = None
    deployment: DeploymentConfig = DeploymentConfig()
    spot: SpotConfig = SpotConfig()

    @model_validator(mode="after")
    def _consistent(self) -> ServiceConfig:
        allowed = FARGATE_SIZES.get(self.cpu)
        if allowed is None:
            raise FieldError(
                "cpu", f"{self.cpu} is not a Fargate CPU size; allowed: {', '.join(str(cpu) for cpu in FARGATE_SIZES)}"
            )
        if self.memory not in allowed:
            raise FieldError(
                "memory",
                f"Fargate does not run cpu = {self.cpu} with memory = {self.memory}; with "
                f"cpu = {self.cpu} memory must be one of {', '.join(map(str, allowed))}",
            )
        check_log_retention(self.log_retention_days, "log_retention_days")
        if self.exec and self.readonly_root_filesystem:
            raise FieldError(
                "exec", "ECS Exec needs a writable root filesystem; turn off readonly_root_filesystem or exec"
            )
        metric = self.autoscaling.custom_metric if self.autoscaling is not None else None
        for variable in sorted(set(self.environment) & set(METRIC_VARIABLES.values()) if metric else ()):
            raise FieldError(
                f"environment.{variable}",
                "is set by the platform for the custom scaling metric (SCALING_METRIC_*); use another name",
            )
        for variable in sorted(set(self.environment) & set(self.secrets)):
            raise FieldError(
                f"secrets.{variable}", f"{variable} is also set in environment; a variable comes from one place only"
            )
        if self.routing is not None:
            grpc = self.protocol == "grpc"
            if not grpc or "health_check_matcher" in self.routing.model_fields_set:
                problem = matcher_problem(self.routing.health_check_matcher, grpc=grpc)
                if problem is not None:
                    raise FieldError("routing.health_check_matcher", problem)
        if self.kind == "web":
            if self.port is None:
                raise FieldError("port", "a web service needs the container port the ALB forwards to")
            if self.routing is None:
                raise FieldError(
                    "routing", "a web service needs a [routing] table (path_patterns, host_headers or default = true)"
                )
        else:
            if self.routing is not None:
                raise FieldError("routing", "a worker has no load balancer; remove [routing] or set kind = 'web'")
            if self.deployment.strategy == "blue_green":
                raise FieldError(
                    "deployment.strategy",
                    "blue_green needs a load balancer (two target groups and a "
                    "test listener); a worker can only deploy 'rolling'",
                )
            if self.autoscaling is not None and self.autoscaling.requests_per_target is not None:
                raise FieldError(
                    "autoscaling.requests_per_target",
                    "a worker has no load balancer to count requests; scale it on cpu, memory or a custom metric",
                )
        if self.autoscaling is not None and not (self.autoscaling.min <= self.desired_count <= self.autoscaling.max):
            raise FieldError(
                "desired_count",
                f"{self.desired_count} is outside autoscaling min..max "
                f"({self.autoscaling.min}..{self.autoscaling.max})",
            )
        return self

    def reaches(self, store: Literal["database", "cache"]) -> bool:
        """Whether the service may open connections to the database or cache (its SG rules and nothing else).

        `data_access` says so explicitly; without it a service reaches the stores whose secrets it reads
        (`db:` -> database, `redis:` -> cache), so a front end that never reads them gets no path to the data.
        """
        if self.data_access is not None:
            return store in self.data_access
        scheme = "db:" if store == "database" else "redis:"
        return any(reference.startswith(scheme) for reference in self.secrets.values())

    @property
    def sticky(self) -> bool:
        """Whether the target group pins clients to a task (on by default for WebSocket services)."""
        if self.routing is None:
            return False
        return self.routing.stickiness if self.routing.stickiness is not None else self.protocol == "websocket"
