"""Pure planning: a service's `secret:`, `ssm:`, `db:` and `redis:` references resolved to `valueFrom` ARNs.

The same resolution yields both what the container reads and what its execution role may read, so the two cannot
drift apart. Plain functions over the layer outputs, unit-tested without synthesizing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.services import ServiceConfig
from stacks.layers.data import DataOutputs
from stacks.layers.secrets import SecretsOutputs


@dataclass(frozen=True)
class ResolvedSecrets:
    """A service's container secrets resolved to `valueFrom` ARNs, and the ARNs its execution role may read."""

    value_from: Mapping[str, str]
    secret_arns: tuple[str, ...]
    parameter_arns: tuple[str, ...]


def resolve_secrets(service: ServiceConfig, secrets: SecretsOutputs, data: DataOutputs) -> ResolvedSecrets:
    """A service's container secrets as ARNs (see `resolve_references`)."""
    return resolve_references(service.secrets, secrets, data)


def resolve_references(references: Mapping[str, str], secrets: SecretsOutputs, data: DataOutputs) -> ResolvedSecrets:
    """Turn the references (checked by config.references) into ARNs; `db:<key>` reads one key of the master secret.

    Used for services and Batch jobs alike: both take `{variable: reference}` and hand ECS `valueFrom` ARNs.
    """
    value_from: dict[str, str] = {}
    secret_arns: dict[str, str] = {}  # the reference it came from -> ARN, so the order never depends on tokens
    parameter_arns: dict[str, str] = {}
    for variable, reference in sorted(references.items()):
        kind, _, key = reference.partition(":")
        if kind == "secret":
            arn = secrets.secret_arns[key]
            value_from[variable] = arn
            secret_arns[reference] = arn
        elif kind == "ssm":
            arn = secrets.parameter_arns[key]
            value_from[variable] = arn
            parameter_arns[reference] = arn
        elif kind == "db" and data.database is not None:
            value_from[variable] = f"{data.database.master_secret_arn}:{key}::"
            secret_arns["db"] = data.database.master_secret_arn
        elif kind == "redis" and data.cache is not None:
            value_from[variable] = data.cache.auth_token_secret_arn
            secret_arns["redis"] = data.cache.auth_token_secret_arn
    return ResolvedSecrets(
        value_from=value_from,
        secret_arns=_in_order_of_source(secret_arns),
        parameter_arns=_in_order_of_source(parameter_arns),
    )


def _in_order_of_source(arns: Mapping[str, str]) -> tuple[str, ...]:
    """Each ARN once, ordered by the reference it came from: ARNs are tokens until synth, and sorting tokens
    orders them by when cdktf happened to create them."""
    unique: dict[str, None] = {}
    for source in sorted(arns):
        unique.setdefault(arns[source], None)
    return tuple(unique)
