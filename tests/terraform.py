"""Run real Terraform against synthesized stacks (offline, through the provider mirror when there is one)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider


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
