"""Checks across the sections of one environment: every reference resolves and no two services collide.

They run after each section validated on its own, and return every problem (key path relative to the
environment, message) instead of stopping at the first, so the loader can report them all at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from config.models import EnvironmentConfig
from config.routing import priority_problems
from config.service_checks import check_services

DB_SECRET_KEYS = ("username", "password")
"""JSON keys of the RDS-managed master secret a container may read (`db:<key>`)."""


def check_environment(environment: EnvironmentConfig) -> list[tuple[str, str]]:
    """Every cross-section problem of `environment`, as (key path, message)."""
    return [
        *_secret_references(environment),
        *_dependencies(environment),
        *_collisions(environment),
        *_load_balancer(environment),
        *priority_problems(environment.services),
        *check_services(environment),
    ]


def _secret_references(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    security = environment.security
    for name, service in environment.services.items():
        for variable, reference in service.secrets.items():
            kind, _, key = reference.partition(":")
            path = f"services.{name}.secrets.{variable}"
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


def _dependencies(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    services = environment.services
    for name, service in services.items():
        if not service.enabled:
            continue
        for index, dependency in enumerate(service.depends_on):
            path = f"services.{name}.depends_on[{index}]"
            if dependency == name:
                yield path, "a service cannot depend on itself"
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
    rules: dict[tuple[frozenset[str], str], str] = {}
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
        hosts = frozenset(routing.host_headers)
        for index, pattern in enumerate(routing.path_patterns or ("",)):
            if not pattern and not hosts:
                continue
            other = rules.get((hosts, pattern))
            if other is not None:
                where = f"path {pattern!r}" if pattern else f"hosts {sorted(hosts)}"
                yield (
                    f"services.{name}.routing.path_patterns[{index}]"
                    if pattern
                    else f"services.{name}.routing.host_headers",
                    f"{where} is already routed to '{other}'",
                )
            rules[(hosts, pattern)] = name
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
        yield "load_balancer", f"web services ({', '.join(sorted(web))}) need a [load_balancer] with a certificate_arn"
