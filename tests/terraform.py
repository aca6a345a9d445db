"""Run real Terraform against synthesized stacks (offline, through the provider mirror when there is one)."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

VALIDATE_WORKERS = 2
"""Concurrent `terraform validate` runs of `validate_stacks`."""


def terraform(directory: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `terraform <args>` in `directory`; fail the test with Terraform's output if it fails."""
    result = subprocess.run(
        ["terraform", *args, "-no-color"], cwd=directory, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"terraform {' '.join(args)} failed in {directory}:\n{result.stdout}{result.stderr}"
    return result


def validate(directory: Path, env: dict[str, str]) -> dict[str, object]:
    """`terraform init -backend=false` then `terraform validate -json`; returns the validate report."""
    terraform(directory, env, "init", "-backend=false", "-input=false")
    report: dict[str, object] = json.loads(terraform(directory, env, "validate", "-json").stdout)
    assert report["valid"] is True, report
    return report


def validate_stacks(
    outdir: Path, stacks: list[str], env: dict[str, str], scratch: Path
) -> dict[str, dict[str, object]]:
    """`terraform validate -json` of each stack of a synth, after one shared `terraform init`.

    Every stack pins the same provider (hashicorp/aws), so one `init -backend=false` of a config holding just that
    pin installs it once; each stack then gets a link to that `.terraform` folder and a copy of its lock file.
    A stack pinning anything else fails validate ("inconsistent dependency lock file").
    """
    first = json.loads((outdir / "stacks" / stacks[0] / "cdk.tf.json").read_text())
    shared = scratch / "shared-init"
    shared.mkdir(parents=True)
    pins = {"terraform": {"required_providers": first["terraform"]["required_providers"]}}
    (shared / "main.tf.json").write_text(json.dumps(pins))
    terraform(shared, env, "init", "-backend=false", "-input=false")
    for stack in stacks:
        directory = scratch / stack
        shutil.copytree(outdir / "stacks" / stack, directory)
        (directory / ".terraform").symlink_to(shared / ".terraform", target_is_directory=True)
        shutil.copy(shared / ".terraform.lock.hcl", directory)

    def validate_one(stack: str) -> dict[str, object]:
        report: dict[str, object] = json.loads(terraform(scratch / stack, env, "validate", "-json").stdout)
        return report

    # each validate loads the provider schema (~3 s of CPU, ~600 MB): two at a time use both cores of CI
    with ThreadPoolExecutor(max_workers=VALIDATE_WORKERS) as pool:
        return dict(zip(stacks, pool.map(validate_one, stacks), strict=True))


def module_test_stack(outdir: Path, name: str = "module") -> tuple[App, TerraformStack]:
    """A bare stack with the AWS provider, for synthesizing one module and validating it with Terraform."""
    app = App(outdir=str(outdir))
    stack = TerraformStack(app, name)
    AwsProvider(stack, "aws", region="ap-northeast-1")
    return app, stack


def synth_and_validate(app: App, stack_name: str, outdir: Path, env: dict[str, str]) -> None:
    """Synthesize `app` and run `terraform validate` on one of its stacks."""
    app.synth()
    directory = outdir / "stacks" / stack_name
    try:
        validate(directory, env)
    finally:
        shutil.rmtree(directory / ".terraform", ignore_errors=True)
