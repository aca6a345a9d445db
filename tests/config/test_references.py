"""Cross-section checks of one environment, reported through the loader with full key paths."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import ConfigError, PlatformConfig, build_config
from tests.conftest import Json


def test_reference_config_services(reference_config: PlatformConfig) -> None:
    assert list(reference_config.environment("dev").enabled_services) == ["api", "realtime", "web"]
    assert list(reference_config.environment("prod").enabled_services) == ["api", "realtime", "web", "worker"]


def test_unknown_secret_and_parameter_references(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"defaults": {"services": {"api": {"secrets": {"JWT_SECRET": "secret:jwt", "LOG_LEVEL": "ssm:app/loglevel"}}}}}
    )
    assert (
        "environments.toml defaults.services.api.secrets.JWT_SECRET: unknown secret 'jwt'; declare it in "
        "[security.secrets] (declared: api-token, jwt-secret)"
    ) in found
    assert any("defaults.services.api.secrets.LOG_LEVEL: unknown parameter 'app/loglevel'" in p for p in found)


def test_database_and_redis_references_need_the_module(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"database": {"enabled": False}, "cache": {"enabled": False}}}})
    assert any(
        "[dev] defaults.services.api.secrets.DB_PASSWORD: 'db:password' reads the database master secret, "
        "but database.enabled is false" in p
        for p in found
    )
    assert any(
        "[dev] defaults.services.realtime.secrets.REDIS_AUTH_TOKEN: 'redis:auth_token' reads the Redis auth "
        "token, but cache.enabled is false" in p
        for p in found
    )
    found = problems({"defaults": {"services": {"api": {"secrets": {"DB_ADDRESS": "db:host"}}}}})
    assert any("'db:host': the master secret has the keys username, password" in p for p in found)


def test_unknown_or_disabled_dependency(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"defaults": {"services": {"web": {"depends_on": ["apii", "web"]}, "api": {"depends_on": ["worker"]}}}}
    )
    assert any(
        "toml defaults.services.web.depends_on[0]: unknown service 'apii'; services: api, realtime, web, worker" in p
        for p in found
    )
    assert any("defaults.services.web.depends_on[1]: a service cannot depend on itself" in p for p in found)
    assert any(
        "[dev] defaults.services.api.depends_on[0]: 'worker' is disabled in this environment" in p for p in found
    )


def test_duplicate_ports(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"services": {"web": {"port": 8080}}}}})
    assert any("[prod] environments.prod.services.web.port: 8080 is also the port of 'api'" in p for p in found)


def test_path_rule_collisions_and_two_defaults(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"defaults": {"services": {"realtime": {"routing": {"path_patterns": ["/api/*"], "default": True}}}}}
    )
    assert any(
        "defaults.services.realtime.routing.path_patterns[0]: path '/api/*' is already routed to 'api'" in p
        for p in found
    )
    assert any("defaults.services.web.routing.default: 'realtime' is already the default service" in p for p in found)


def test_extra_repository_named_like_a_service(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"registry": {"extra_repositories": ["migrations", "api"]}}})
    assert any(
        "defaults.registry.extra_repositories[1]: 'api' is a service, which gets its repository already" in p
        for p in found
    )


def test_web_services_need_a_load_balancer(reference_document: Json) -> None:
    document = copy.deepcopy(reference_document)
    del document["defaults"]["load_balancer"], document["environments"]["prod"]["load_balancer"]
    with pytest.raises(ConfigError) as caught:
        build_config(document, "environments.toml")
    assert any(
        str(p).endswith("load_balancer: web services (api, realtime, web) need a [load_balancer]")
        for p in caught.value.problems
    )


def test_module_level_bad_input_is_reported_with_its_key(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "environments": {
                "prod": {
                    "database": {"min_capacity": 4.0, "max_capacity": 2.0},
                    "cache": {"node_count": 1, "automatic_failover": True},
                    "services": {
                        "worker": {"deployment": {"strategy": "blue_green"}},
                        "web": {"cpu": 512, "memory": 512},
                    },
                }
            }
        }
    )
    assert any("[prod] environments.prod.database.min_capacity:" in p for p in found)
    assert any("[prod] environments.prod.cache.automatic_failover:" in p for p in found)
    assert any(
        "environments.prod.services.worker.deployment.strategy: blue_green needs a load balancer" in p for p in found
    )
    assert any(
        "environments.prod.services.web.memory: Fargate does not run cpu = 512 with memory = 512" in p for p in found
    )
