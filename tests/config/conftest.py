"""Fixtures of the config tests: the problems a bad override of the reference config produces."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from config import ConfigError, build_config
from config.loader import deep_merge
from tests.conftest import PROJECT_DIR, Json


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


def main_exits_2(tmp_path: Path, text: str, *, name: str = "broken.toml") -> tuple[Path, str]:
    """`python main.py --config <tmp_path>/<name> --out <tmp_path>/out` on the config `text`, from the project folder.

    Asserts what every bad config gets (exit 2, no traceback, no output folder) and returns the config file's path
    (the messages name it) and stderr.
    """
    config = tmp_path / name
    config.write_text(text)
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "main.py"), "--config", str(config), "--out", str(tmp_path / "out")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    return config, result.stderr
