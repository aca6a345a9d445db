"""Config checks of the compute side: listener priorities, image tags, private endpoints, stack-value references."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import ConfigError, PlatformConfig, build_config
from config.loader import deep_merge
from tests.conftest import Json


@pytest.fixture
def problems(reference_document: Json) -> Callable[[Json], list[str]]:
    def build(override: Json) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")
        return [str(problem) for problem in caught.value.problems]

    return build


@pytest.fixture
def accepted(reference_document: Json) -> Callable[[Json], PlatformConfig]:
    def build(override: Json) -> PlatformConfig:
        return build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")

    return build


AAF = {"kind": "web", "port": 8090, "routing": {"path_patterns": ["/xyz/*"]}}
"""The service whose only rule hashes to api's slot (46933): adding it used to move api's rule to 46934."""


def test_a_new_service_on_a_live_rule_s_priority_is_a_config_error(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"aaf": AAF}}})
    collisions = [problem for problem in found if "listener priority 46933" in problem]
    assert len(collisions) == 3  # once per environment, naming both services and the key that resolves it
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
