"""Config checks of the compute side: listener priorities, image tags, private endpoints, stack-value references."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import PlatformConfig, build_config
from config.loader import deep_merge
from tests.conftest import Json


@pytest.fixture
def accepted(reference_document: Json) -> Callable[[Json], PlatformConfig]:
    def build(override: Json) -> PlatformConfig:
        return build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")

    return build


AAF: Json = {"kind": "web", "port": 8090, "routing": {"path_patterns": ["/xyz/*"]}}
"""The service whose only rule hashes to api's slot (46933): adding it used to move api's rule to 46934."""


def test_a_new_service_on_a_live_rule_s_priority_is_a_config_error(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"aaf": AAF}}})
    collisions = [problem for problem in found if "listener priority 46933" in problem]
    assert len(collisions) == 1  # a [defaults] problem once, naming both services and the key that resolves it
    assert collisions[0].startswith("environments.toml defaults.services.api.routing.priority_offset: ")
    assert "'aaf' (path /xyz/*) and 'api' (path /api/*)" in collisions[0]
    assert "set routing.priority_offset on the service you are adding" in collisions[0]
    assert "1 on 'aaf'" in collisions[0]


def test_priority_offset_on_the_new_service_leaves_the_live_rule_where_it_was(
    accepted: Callable[[Json], PlatformConfig], reference_config: PlatformConfig
) -> None:
    from config.routing import rule_priorities

    before = rule_priorities(reference_config.environment("prod").services)
    config = accepted({"defaults": {"services": {"aaf": {**AAF, "routing": {**AAF["routing"], "priority_offset": 1}}}}})
    after = rule_priorities(config.environment("prod").services)
    assert before["api"] == after["api"] == (46933,)
    assert after["aaf"] == (46934,)
    assert {name: after[name] for name in before} == before


# --- private endpoints without NAT ----------------------------------------------------------------------------

DEV_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages", "ec2messages"]


def test_no_nat_needs_the_monitoring_endpoint_for_custom_metrics_and_kms_for_exec(
    problems: Callable[[Json], list[str]],
) -> None:
    found = problems({"environments": {"dev": {"network": {"interface_endpoints": DEV_ENDPOINTS}}}})
    assert found == [
        "environments.toml [dev] environments.dev.network.interface_endpoints: lacks 'kms', which api (ECS Exec "
        "sessions are encrypted with the CMK) call(s) and network.nat = 'none' gives no other route to; add 'kms' "
        "to network.interface_endpoints (or use a NAT)",
        "environments.toml [dev] environments.dev.network.interface_endpoints: lacks 'monitoring', which realtime "
        "(custom scaling metric: PutMetricData) call(s) and network.nat = 'none' gives no other route to; add "
        "'monitoring' to network.interface_endpoints (or use a NAT)",
    ]


def test_with_a_nat_or_the_endpoints_no_endpoint_is_demanded(
    accepted: Callable[[Json], PlatformConfig], reference_config: PlatformConfig
) -> None:
    assert {"monitoring", "kms"} <= set(reference_config.environment("dev").network.interface_endpoints)
    accepted({"environments": {"dev": {"network": {"nat": "single", "interface_endpoints": DEV_ENDPOINTS}}}})


# --- image tags ----------------------------------------------------------------------------------------------


def test_latest_in_an_immutable_registry_is_a_config_error(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"services": {"api": {"image_tag": "latest"}}}}})
    assert found == [
        "environments.toml [prod] environments.prod.services.api.image_tag: 'latest' cannot be pushed twice to an "
        "IMMUTABLE repository (registry.tag_mutability); pin a release tag here, or leave image_tag unset and let CI "
        "write each build's own tag (e.g. the git SHA) to the deployed-tag parameter .../image-tag/api"
    ]


def test_latest_in_a_mutable_registry_and_pinned_tags_anywhere_are_fine(
    accepted: Callable[[Json], PlatformConfig],
) -> None:
    config = accepted(
        {
            "environments": {
                "dev": {"services": {"api": {"image_tag": "latest"}}},
                "prod": {"services": {"api": {"image_tag": "v1.4.2"}}},
            }
        }
    )
    assert config.environment("dev").services["api"].image_tag == "latest"
    assert config.environment("prod").services["api"].image_tag == "v1.4.2"
    assert config.environment("stg").services["api"].image_tag is None  # read from the deployed-tag parameter CI writes


# --- references to stack values ------------------------------------------------------------------------------


def test_environment_and_parameter_values_may_reference_connection_details(
    accepted: Callable[[Json], PlatformConfig],
) -> None:
    accepted(
        {
            "defaults": {
                "services": {
                    "api": {
                        "environment": {"DB_HOST": "${db.host}", "REDIS_URL": "rediss://${redis.host}:${redis.port}"}
                    }
                },
                "security": {"parameters": {"db/endpoint": {"value": "${db.host}"}}},
            }
        }
    )


def test_unknown_or_disabled_references_name_the_key(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "defaults": {
                "services": {"api": {"environment": {"DB_HOST": "${db.hostname}"}}},
                "security": {"parameters": {"cache/host": {"value": "${redis.host}"}}},
            },
            "environments": {"stg": {"cache": {"enabled": False}}},
        }
    )
    assert any(
        p.startswith(
            "environments.toml defaults.services.api.environment.DB_HOST: unknown reference "
            "'${db.hostname}'; known: db.host, db.name, db.port, db.reader_host, redis.host"
        )
        for p in found
    )
    assert (
        "environments.toml [stg] defaults.security.parameters.cache/host.value: '${redis.host}' is the primary "
        "endpoint address of Redis, but cache.enabled is false"
    ) in found
