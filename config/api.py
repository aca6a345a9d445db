"""The serverless API (seed 000): an API Gateway HTTP API whose routes invoke Lambda functions.

Functions and routes are tables keyed by name / route key, so an environment overrides one field of one of them
without restating the list:

    [defaults.api.functions.items]
    handler = "index.handler"

    [defaults.api.routes."GET /items"]
    function = "items"
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError, check_log_retention
from config.services import EnvVarName
from config.storage import BucketAccess, QueueAccess, StorageKey

FunctionName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")]
"""A function's key: the last part of its name `{project}-{env}-fn-<key>`."""

_SEGMENT = r"([A-Za-z0-9._~-]+|\{[A-Za-z0-9_]+\+?\})"
_METHOD = r"(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)"
RouteKey = Annotated[str, Field(pattern=rf"^(\$default|{_METHOD} /{_SEGMENT}?(/{_SEGMENT})*)$")]
"""An HTTP API route key: `$default`, or a method and a path such as `GET /items/{id}` or `ANY /{proxy+}`."""

Handler = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_/-]*\.[A-Za-z_][A-Za-z0-9_]*$")]
"""`<file>.<exported function>`, e.g. `index.handler` (index.mjs / index.py)."""


def route_id(route_key: str) -> str:
    """A route key as a construct id: `GET /items/{id}` -> `get_items_id`, `$default` -> `default`."""
    cleaned = "".join(char if char.isalnum() else "_" for char in route_key.lower())
    return "_".join(part for part in cleaned.split("_") if part)


class FunctionConfig(ConfigModel):
    """One Lambda function: runtime and size, its log group, the buckets and queues it names, and optional access
    to the VPC's data tier."""

    runtime: Literal["nodejs20.x", "nodejs22.x", "python3.12", "python3.13"] = "nodejs22.x"
    """The managed runtime (Node.js or Python: the first deploy package is generated for these)."""
    handler: Handler = "index.handler"
    """Entry point `<file>.<function>` inside the package CI uploads."""
    architecture: Literal["arm64", "x86_64"] = "arm64"
    """Instruction set; arm64 (Graviton) is cheaper for the same work."""
    memory: int = Field(default=256, ge=128, le=10240)
    """Memory in MB (CPU scales with it)."""
    timeout: int = Field(default=10, ge=1, le=29)
    """Seconds before Lambda stops an invocation; below the HTTP API's 30 s integration limit."""
    environment: dict[EnvVarName, str] = Field(default_factory=dict)
    """Plain environment variables (no secrets: read those from Secrets Manager at run time)."""
    reserved_concurrency: int | None = Field(default=None, ge=0, le=10000)
    """Concurrent executions reserved for (and capping) this function; unset shares the account's pool."""
    log_retention_days: int = 30
    """Retention of the function's log group."""
    vpc: bool = False
    """Run in the private subnets with its own security group (needed to reach the database or Redis)."""
    data_access: tuple[Literal["database", "cache"], ...] = ()
    """Data stores the function may open connections to (needs `vpc`), like a service's `data_access`."""
    buckets: dict[StorageKey, BucketAccess] = Field(default_factory=dict)
    """Application buckets the function may use, by key, and how (`read` | `read-write`), as for services; it
    gets each one's name as `<KEY>_BUCKET`."""
    queues: dict[StorageKey, QueueAccess] = Field(default_factory=dict)
    """Queues the function may use, by key, and how (`send` | `receive` | `send-receive`); it gets each one's URL
    as `<KEY>_QUEUE_URL`."""

    @model_validator(mode="after")
    def _consistent(self) -> FunctionConfig:
        check_log_retention(self.log_retention_days, "log_retention_days")
        if self.data_access and not self.vpc:
            raise FieldError("data_access", "reaching the database or Redis needs vpc = true (they are in the VPC)")
        if len(set(self.data_access)) != len(self.data_access):
            raise FieldError("data_access", f"{list(self.data_access)} lists a store twice")
        return self


class RouteConfig(ConfigModel):
    """One route of the HTTP API: which function answers it and whether it needs a signed-in user."""

    function: FunctionName
    """The key of the function in `api.functions` that handles the route."""
    authorization: Literal["jwt", "none"] = "jwt"
    """`jwt`: a valid access or ID token of the environment's Cognito client is required (needs `[auth]`);
    `none`: public (health checks, webhooks)."""


class ApiConfig(ConfigModel):
    """API Gateway HTTP API with Lambda integrations, a Cognito JWT authorizer, throttling and access logs."""

    enabled: bool = False
    """Whether the environment has the HTTP API and its functions."""
    functions: dict[FunctionName, FunctionConfig] = Field(default_factory=dict)
    """Lambda functions by key."""
    routes: dict[RouteKey, RouteConfig] = Field(default_factory=dict)
    """Routes by route key (`GET /items`, `ANY /{proxy+}`, `$default`)."""
    throttling_rate_limit: float = Field(default=50, gt=0, le=100000, allow_inf_nan=False)
    """Steady-state requests per second the stage accepts before answering 429."""
    throttling_burst_limit: int = Field(default=100, ge=1, le=100000)
    """Requests the stage accepts in a burst above the rate."""
    access_log_retention_days: int = 30
    """Retention of the stage's access-log group."""
    cors_allow_origins: tuple[Annotated[str, Field(min_length=1, max_length=1024)], ...] = ()
    """Origins a browser may call the API from (the SPA's URL); empty means no CORS configuration."""

    @model_validator(mode="after")
    def _consistent(self) -> ApiConfig:
        check_log_retention(self.access_log_retention_days, "access_log_retention_days")
        for key, route in self.routes.items():
            if route.function not in self.functions:
                declared = ", ".join(sorted(self.functions)) or "none"
                raise FieldError(
                    f"routes.{key}.function",
                    f"unknown function '{route.function}'; declare it in [api.functions] (declared: {declared})",
                )
        seen: dict[str, str] = {}
        for key in self.routes:
            other = seen.setdefault(route_id(key), key)
            if other != key:
                raise FieldError(
                    f"routes.{key}",
                    f"differs from route '{other}' only in punctuation or case, which gives both the resource id "
                    f"'{route_id(key)}'; use one of them",
                )
        if self.enabled and not self.routes:
            raise FieldError("routes", "an enabled API needs at least one route")
        return self
