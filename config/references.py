"""Checks across the sections of one environment: every reference resolves and no two services collide.

They run after each section validated on its own, and return every problem (key path relative to the
environment, message) instead of stopping at the first, so the loader can report them all at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from config.delivery_checks import check_maintenance
from config.edge import check_edge
from config.identity_checks import check_identity
from config.limits import check_limits
from config.medical import check_medical
from config.models import EnvironmentConfig, ProjectConfig
from config.protection import check_protection
from config.routing import SLOTS_PER_LEVEL, TIER_NAMES, priority_problems, rule_conditions, rule_level
from config.service_checks import check_services
from config.storage_checks import check_storage

DB_SECRET_KEYS = ("username", "password")
"""JSON keys of the RDS-managed master secret a container may read (`db:<key>`)."""


def check_environment(
    environment: EnvironmentConfig,
    project: ProjectConfig | None = None,
    *,
    unchecked: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """Every cross-section problem of `environment`, as (key path, message).

    `unchecked` names services that failed their own validation and were left out of `environment`: references
    to them are not reported as unknown (their own problems already are). Name and quota checks need the
    project (its name is part of every name) and run only when it validated.
    """
    problems = [
        *_secret_references(environment),
        *_dependencies(environment, unchecked),
        *_cycles(environment),
        *_collisions(environment),
        *_rule_levels(environment),
        *_load_balancer(environment),
        *check_edge(environment),
        *check_protection(environment),
        *_parameter_values(environment),
        *priority_problems(environment.services),
        *check_services(environment),
        *check_maintenance(environment),
        *check_identity(environment, project),
    ]
    problems += check_storage(environment, project)
    if project is not None:
        problems += check_limits(project, environment)
        problems += check_medical(project, environment)
    return problems


def _secret_references(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    for name, service in environment.services.items():
        yield from _references(environment, f"services.{name}.secrets", service.secrets)
    if environment.batch.enabled:
        for key, job in environment.batch.jobs.items():
            yield from _references(environment, f"batch.jobs.{key}.secrets", job.secrets)


def _references(environment: EnvironmentConfig, prefix: str, secrets: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Problems of one container's `secrets` table (a service's or a Batch job's)."""
    security = environment.security
    for variable, reference in secrets.items():
        kind, _, key = reference.partition(":")
        path = f"{prefix}.{variable}"
        if kind == "secret" and key not in security.secrets:
            yield path, _unknown("secret", key, "security.secrets", security.secrets)
        elif kind == "ssm" and key not in security.parameters:
            yield path, _unknown("parameter", key, "security.parameters", security.parameters)
        elif kind == "db":
            if not environment.database.enabled:
                yield path, f"'{reference}' reads the database master secret, but database.enabled is false"
            elif key not in DB_SECRET_KEYS:
                yield path, f"'{reference}': the master secret has the keys {', '.join(DB_SECRET_KEYS)}"
        elif kind == "redis":
            if not environment.cache.enabled:
                yield path, f"'{reference}' reads the Redis auth token, but cache.enabled is false"
            elif key != "auth_token":
                yield path, f"'{reference}': the only Redis secret is redis:auth_token"


def _unknown(what: str, key: str, table: str, declared: object) -> str:
    names = ", ".join(sorted(declared)) if isinstance(declared, dict) and declared else "none"
    return f"unknown {what} '{key}'; declare it in [{table}] (declared: {names})"


def _dependencies(environment: EnvironmentConfig, unchecked: frozenset[str]) -> Iterator[tuple[str, str]]:
    services = environment.services
    for name, service in services.items():
        if not service.enabled:
            continue
        for index, dependency in enumerate(service.depends_on):
            path = f"services.{name}.depends_on[{index}]"
            if dependency == name:
                yield path, "a service cannot depend on itself"
            elif dependency in unchecked:
                continue
            elif dependency not in services:
                yield path, f"unknown service '{dependency}'; services: {', '.join(sorted(services))}"
            elif not services[dependency].enabled:
                yield path, f"'{dependency}' is disabled in this environment"


def _collisions(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    web = {
        name: service
        for name, service in sorted(environment.services.items())
        if service.enabled and service.kind == "web"
    }
    ports: dict[int | None, str] = {}
    defaults: list[str] = []
    claimed: dict[tuple[str, str], str] = {}
    for name, service in web.items():
        if service.port in ports:
            yield (
                f"services.{name}.port",
                f"{service.port} is also the port of '{ports[service.port]}'; give each "
                f"web service its own port so its target group and rules are unambiguous",
            )
        ports[service.port] = name
        routing = service.routing
        assert routing is not None  # a web service always has routing (ServiceConfig checks)
        if routing.default:
            defaults.append(name)
        # The ALB matches host headers case-insensitively: compare (host, path) pairs, hosts lowercased.
        hosts = sorted({host.lower() for host in routing.host_headers}) or [""]
        for index, pattern in enumerate(routing.path_patterns or ("",)):
            taken = [host for host in hosts if (host or pattern) and (host, pattern) in claimed]
            clash = (taken[0], claimed[(taken[0], pattern)]) if taken else None
            for host in hosts:
                if host or pattern:
                    claimed.setdefault((host, pattern), name)
            if clash is None:
                continue
            host, other = clash
            where = " ".join(
                part for part in (f"host {host!r}" if host else "", f"path {pattern!r}" if pattern else "") if part
            )
            yield (
                f"services.{name}.routing.path_patterns[{index}]"
                if pattern
                else f"services.{name}.routing.host_headers",
                f"{where} is already routed to '{other}' (hosts match case-insensitively); only the first rule "
                "would ever match",
            )
    for name in defaults[1:]:
        yield (
            f"services.{name}.routing.default",
            f"'{defaults[0]}' is already the default service; only one service takes unmatched requests",
        )
    for index, repository in enumerate(environment.registry.extra_repositories):
        if repository in environment.services:
            yield (
                f"registry.extra_repositories[{index}]",
                f"'{repository}' is a service, which gets its repository already",
            )


def _load_balancer(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    web = [name for name, service in environment.services.items() if service.enabled and service.kind == "web"]
    if web and environment.load_balancer is None:
        yield "load_balancer", f"web services ({', '.join(sorted(web))}) need a [load_balancer]"


def _cycles(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """Services that depend on each other in a loop (ECS would wait forever; the module cannot order them)."""
    enabled = environment.enabled_services
    reported: set[frozenset[str]] = set()
    for start in enabled:
        path = [start]
        stack = [(start, iter(enabled[start].depends_on))]
        while stack:
            node, dependencies = stack[-1]
            dependency = next(dependencies, None)
            if dependency is None:
                stack.pop()
                path.pop()
                continue
            if dependency not in enabled or dependency == node:
                continue  # unknown, disabled and self dependencies are reported by _dependencies
            if dependency == start:
                members = frozenset(path)
                if members not in reported:
                    reported.add(members)
                    index = enabled[path[-1]].depends_on.index(start)
                    cycle = " -> ".join([*path, start])
                    yield (
                        f"services.{path[-1]}.depends_on[{index}]",
                        f"services depend on each other in a cycle: {cycle}; remove one of these depends_on entries",
                    )
                continue
            if dependency in path:
                continue  # a cycle that does not pass through `start`: reported when it is the start
            path.append(dependency)
            stack.append((dependency, iter(enabled[dependency].depends_on)))


def _rule_levels(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """More rules in one specificity level than the priority scheme has slots (modules/load_balancer)."""
    if environment.load_balancer is None:
        return
    levels: Counter[tuple[int, int]] = Counter()
    first: dict[tuple[int, int], str] = {}
    total = 0
    for name, service in environment.enabled_services.items():
        if service.kind != "web" or service.routing is None:
            continue
        for hosts, paths in rule_conditions(service.routing):
            level = rule_level(hosts, paths)
            levels[level] += 1
            if levels[level] == SLOTS_PER_LEVEL + 1:
                first[level] = name
            # a blue/green service's rule exists on the test listener as well
            total += 2 if service.deployment.strategy == "blue_green" else 1
    quota = environment.load_balancer.rule_quota
    if total > quota:
        yield (
            "load_balancer.rule_quota",
            f"the services need {total} listener rules (HTTPS and blue/green test listener together), more than "
            f"the ALB's rule quota of {quota}; merge path patterns, or raise the account's 'Rules per Application "
            "Load Balancer' quota and set rule_quota to it",
        )
    for level, count in sorted(levels.items()):
        if count > SLOTS_PER_LEVEL:
            tier, _ = level
            name = first[level]
            key = "path_patterns" if tier != 1 else "host_headers"
            yield (
                f"services.{name}.routing.{key}",
                f"{count} listener rules share one priority level ({TIER_NAMES[tier]} rules of the same "
                f"specificity); the priority scheme has {SLOTS_PER_LEVEL} slots per level: merge patterns, or "
                "vary their literal prefixes (a longer literal part before '*' ranks in another level)",
            )


def _parameter_values(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """A String or StringList parameter needs its value in the config: the stack supplies none of them yet."""
    for key, parameter in environment.security.parameters.items():
        if parameter.type != "SecureString" and parameter.value is None:
            yield (
                f"security.parameters.{key}.value",
                f"a {parameter.type} parameter needs a value (SSM refuses an empty one and the stack supplies "
                "none); set `value`, or use type = 'SecureString' for a value AWS generates",
            )
