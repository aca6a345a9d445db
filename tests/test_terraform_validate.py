"""Real `terraform validate` of every synthesized stack of the reference config, and the plain-Terraform hand-off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stacks.order import STATE_NAMES
from tests.conftest import stack_names
from tests.terraform import terraform, validate


def test_reference_config_produces_bootstrap_and_every_environment(synthesized: Path) -> None:
    assert stack_names(synthesized) == ["bootstrap", "dev", "prod", "stg"]


@pytest.mark.parametrize("stack", ["bootstrap", "dev", "stg", "prod"])
def test_stack_passes_terraform_validate(
    synthesized: Path, terraform_env: dict[str, str], tmp_path: Path, stack: str
) -> None:
    directory = tmp_path / stack
    shutil.copytree(synthesized / "stacks" / stack, directory)
    report = validate(directory, terraform_env)
    assert report["error_count"] == 0


@pytest.mark.parametrize("state", STATE_NAMES)
def test_layer_stack_passes_terraform_validate(
    layered_synthesized: Path, terraform_env: dict[str, str], tmp_path: Path, state: str
) -> None:
    """prod kept per layer: each state validates on its own, reading the earlier states it needs."""
    directory = tmp_path / state
    shutil.copytree(layered_synthesized / "stacks" / f"prod-{state}", directory)
    report = validate(directory, terraform_env)
    assert report["error_count"] == 0
    assert report["warning_count"] == 0, report  # e.g. cdktf's remote-state readers copying the lock table


def test_hand_off_to_plain_terraform_writes_a_pinned_lock_file(
    synthesized: Path, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    """`cd cdktf.out/stacks/<stack> && terraform init` needs nothing but Terraform and the JSON."""
    directory = tmp_path / "dev"
    shutil.copytree(synthesized / "stacks" / "dev", directory)
    terraform(directory, terraform_env, "init", "-backend=false", "-input=false")
    lock = (directory / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert 'version     = "5.100.0"' in lock
    assert 'constraints = "~> 5.100.0"' in lock
    version = terraform(directory, terraform_env, "version", "-json").stdout
    assert '"terraform_version": "1.' in version
