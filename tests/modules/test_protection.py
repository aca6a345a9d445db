"""Stateful lifecycle helpers: prevent_destroy only when protected, and final-snapshot names fixed per creation.

The snapshot-name test runs real Terraform on the built-in `terraform_data` resource (no provider, no AWS): the name
is stable across plans while its owner lives, and new when the owner is replaced or recreated.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack

from modules.protection import final_snapshot_name, stateful
from tests.terraform import terraform

NAME = re.compile(r"^acme-prod-db-final-\d{14}$")


def test_lifecycle_only_when_needed() -> None:
    assert stateful(protected=False) is None
    protected = stateful(protected=True)
    assert protected is not None and protected.prevent_destroy is True and protected.ignore_changes is None
    ignoring = stateful(protected=False, ignore_changes=["engine_version"])
    assert ignoring is not None and ignoring.prevent_destroy is None and ignoring.ignore_changes == ["engine_version"]


def synth_name_stack(outdir: Path, identifier: str) -> Path:
    app = App(outdir=str(outdir))
    stack = TerraformStack(app, "names")
    LocalBackend(stack, path=str(outdir / "terraform.names.tfstate"))  # cdktf's default is in the current folder
    name = final_snapshot_name(stack, "final", prefix="acme-prod-db-final", replace_on={"identifier": identifier})
    TerraformOutput(stack, "name", value=name)
    app.synth()
    return outdir / "stacks" / "names"


def applied_name(directory: Path, env: dict[str, str]) -> str:
    terraform(directory, env, "apply", "-auto-approve", "-input=false")
    name: str = json.loads(terraform(directory, env, "output", "-json").stdout)["name"]["value"]
    return name


def plan_exit_code(directory: Path, env: dict[str, str]) -> int:
    result = subprocess.run(
        ["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 2), result.stdout + result.stderr
    return result.returncode


def test_final_snapshot_name_is_stable_while_the_owner_lives_and_new_per_creation(
    tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    directory = synth_name_stack(tmp_path / "out", "acme-prod-db")
    terraform(directory, terraform_env, "init", "-input=false")
    first = applied_name(directory, terraform_env)
    assert NAME.match(first), first
    time.sleep(1.1)  # a later plan has a later timestamp
    assert plan_exit_code(directory, terraform_env) == 0  # re-plan: no diff, the name stays
    assert applied_name(directory, terraform_env) == first

    # the owner is replaced (a replacement-forcing attribute changed): a new name
    directory = synth_name_stack(tmp_path / "out", "acme-prod-db-2")
    assert plan_exit_code(directory, terraform_env) == 2
    second = applied_name(directory, terraform_env)
    assert NAME.match(second) and second != first

    # destroy and recreate the environment: a new name again, so no DBFinalSnapshotAlreadyExists
    terraform(directory, terraform_env, "destroy", "-auto-approve", "-input=false")
    time.sleep(1.1)
    third = applied_name(directory, terraform_env)
    assert NAME.match(third) and third not in (first, second)
