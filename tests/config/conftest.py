"""Fixtures of the config tests: the problems a bad override of the reference config produces."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import ConfigError, build_config
from config.loader import deep_merge
from tests.conftest import Json


@pytest.fixture
def problems(reference_document: Json) -> Callable[[Json], list[str]]:
    """The problem lines of the reference config with `override` deep-merged in; fails if it is accepted."""

    def build(override: Json) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")
        return [str(problem) for problem in caught.value.problems]

    return build


def one_problem(found: list[str], fragment: str) -> str:
    """The single problem line containing `fragment` (and fail listing all when there is not exactly one)."""
    matching = [line for line in found if fragment in line]
    assert len(matching) == 1, found
    return matching[0]
