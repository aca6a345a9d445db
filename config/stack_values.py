"""References from container `environment` values and String SSM parameter values to values of the stack.

A value may contain `${db.host}`-style references, alone or inside a longer string
(`REDIS_URL = "rediss://${redis.host}:${redis.port}"`); `$${` writes a literal `${`. References name
connection details only, never credentials: the password comes from a `secrets` entry (`db:password`), which ECS
injects at task start, so it never enters the task definition JSON or the Terraform state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

STACK_VALUES: dict[str, tuple[str, str]] = {
    "db.host": ("database", "writer endpoint of the database"),
    "db.reader_host": ("database", "reader endpoint (Aurora) or the instance address (RDS PostgreSQL)"),
    "db.port": ("database", "database port"),
    "db.name": ("database", "name of the initial database"),
    "redis.host": ("cache", "primary endpoint address of Redis"),
    "redis.reader_host": ("cache", "reader endpoint address of Redis"),
    "redis.port": ("cache", "Redis port"),
}
"""Reference -> (config section that must be enabled, what it resolves to)."""

REFERENCE = re.compile(r"(?<!\$)\$\{([^}]*)\}")
"""`${name}` not preceded by another `$` (`$${` is the escape for a literal `${`)."""


def references_in(value: str) -> list[str]:
    """The reference names in a value, in order of appearance."""
    return [match.strip() for match in REFERENCE.findall(value)]


def reference_problems(value: str, *, enabled: Mapping[str, bool]) -> list[str]:
    """Why the references in `value` cannot resolve: unknown names, or a section that is off (empty when fine).

    `enabled` maps a section (`database`, `cache`) to whether this environment has it.
    """
    problems = []
    for name in references_in(value):
        known = STACK_VALUES.get(name)
        if known is None:
            problems.append(f"unknown reference '${{{name}}}'; known: {', '.join(sorted(STACK_VALUES))}")
        elif not enabled.get(known[0], False):
            problems.append(f"'${{{name}}}' is the {known[1]}, but {known[0]}.enabled is false")
    return problems


def resolve(value: str, values: Mapping[str, str]) -> str:
    """`value` with every reference replaced by its stack value (a literal or a Terraform token string)."""
    return REFERENCE.sub(lambda match: values[match.group(1).strip()], value)
