"""The jsii kernel's Node environment: pinned Node, DEP0044 silenced, lazy provider preload, paths with spaces."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LOCAL_NODE
from tools.jsii_env import (
    BINARY_VERSION_PRELOAD,
    CREATION_STACKS_PRELOAD,
    LAZY_PROVIDER_PRELOAD,
    SILENCE_DEP0044,
    jsii_node_environment,
    node_option_path,
    require_option,
)

needs_node = pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")


def test_adds_the_pinned_node_the_warning_silencer_and_the_preloads() -> None:
    additions = jsii_node_environment({})
    if LOCAL_NODE.exists():
        assert additions["JSII_NODE"] == str(LOCAL_NODE)
    assert additions["NODE_OPTIONS"] == (
        f'{SILENCE_DEP0044} --require "{BINARY_VERSION_PRELOAD}" --require "{CREATION_STACKS_PRELOAD}" '
        f'--require "{LAZY_PROVIDER_PRELOAD}"'
    )


def test_keeps_the_callers_choices() -> None:
    additions = jsii_node_environment({"JSII_NODE": "/opt/node/bin/node", "NODE_OPTIONS": "--max-semi-space-size=64"})
    assert "JSII_NODE" not in additions
    assert additions["NODE_OPTIONS"].startswith("--max-semi-space-size=64 ")


def test_applying_twice_changes_nothing() -> None:
    environ = {"NODE_OPTIONS": "--trace-uncaught"}
    environ.update(jsii_node_environment(environ))
    assert jsii_node_environment(environ) == {}


def test_eager_variant_has_no_lazy_provider_preload() -> None:
    options = jsii_node_environment({}, lazy_provider=False)["NODE_OPTIONS"]
    assert options == f'{SILENCE_DEP0044} --require "{BINARY_VERSION_PRELOAD}" --require "{CREATION_STACKS_PRELOAD}"'


def test_the_test_process_passes_the_preload_to_its_kernel() -> None:
    """conftest applies the same composition before any jsii kernel starts, so Testing.synth loads lazily too."""
    assert require_option(LAZY_PROVIDER_PRELOAD) in os.environ["NODE_OPTIONS"]
    assert jsii_node_environment(os.environ) == {}


@needs_node
def test_node_loads_a_preload_from_a_path_with_spaces_and_quotes(tmp_path: Path) -> None:
    folder = tmp_path / 'with space and "quote"'
    folder.mkdir()
    preload = folder / "preload.js"
    shutil.copy(LAZY_PROVIDER_PRELOAD, preload)
    assert " " in node_option_path(preload)
    result = subprocess.run(
        [
            str(LOCAL_NODE),
            "-e",
            'console.log(require("module").prototype[Symbol.for("platform.lazyProviderIndex.installed")])',
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NODE_OPTIONS": f"{SILENCE_DEP0044} {require_option(preload)}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "true"
