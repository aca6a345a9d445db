"""The plain-Terraform hand-off, for real: bootstrap applied, then `terraform init && terraform plan` of an
environment on the S3 backend it created, against moto (a local AWS API emulator) instead of AWS.

Only what is unavoidable to leave AWS is changed, in a `*_override.tf.json` file Terraform merges on top of
`cdk.tf.json`: endpoints, dummy credentials and TLS verification of moto's self-signed certificate. Bucket,
key, region, lock table and every resource come from the synthesized JSON unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import PlatformConfig
from main import synthesize
from tests.conftest import PROJECT_DIR
from tests.terraform import terraform

MOTO_SERVER = PROJECT_DIR / ".venv-tools" / "bin" / "moto_server"
SERVICES = (
    "s3",
    "dynamodb",
    "kms",
    "sts",
    "iam",
    "ec2",
    "ecs",
    "elbv2",
    "rds",
    "elasticache",
    "secretsmanager",
    "ssm",
    "logs",
    "wafv2",
    "ecr",
    "codedeploy",
    "appautoscaling",
    "cloudwatch",
)
"""Provider endpoint names of every AWS API the stacks use, all pointed at moto."""


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    """A moto server with TLS on a free loopback port (the state bucket refuses plain HTTP)."""
    if not MOTO_SERVER.exists():
        pytest.fail(f"{MOTO_SERVER} is missing: run `make install`")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port), "--ssl"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("moto_server did not start")
        yield f"https://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def provider_override(endpoint: str) -> dict[str, Any]:
    return {
        "region": "ap-northeast-1",
        "access_key": "test",
        "secret_key": "test",
        "insecure": True,
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_requesting_account_id": True,
        "s3_use_path_style": True,
        "endpoints": [dict.fromkeys(SERVICES, endpoint)],
    }


def test_bootstrap_then_environment_plan_on_the_created_backend(
    moto: str, reference_config: PlatformConfig, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    project = tmp_path / "project"  # stands in for the user's checkout: bootstrap's local state lands here
    synthesize(reference_config, ["dev"], project / "cdktf.out", project_dir=project)
    bootstrap, dev = project / "cdktf.out" / "stacks" / "bootstrap", project / "cdktf.out" / "stacks" / "dev"

    # 1. bootstrap: local state at the project root, creates bucket, table and key
    (bootstrap / "moto_override.tf.json").write_text(json.dumps({"provider": {"aws": [provider_override(moto)]}}))
    terraform(bootstrap, terraform_env, "init", "-input=false")
    applied = terraform(bootstrap, terraform_env, "apply", "-auto-approve", "-input=false").stdout
    assert "Apply complete! Resources: 10 added" in applied
    state = json.loads((project / "terraform.bootstrap.tfstate").read_text())
    created = {resource["type"] for resource in state["resources"] if resource["mode"] == "managed"}
    assert {"aws_s3_bucket", "aws_dynamodb_table", "aws_kms_key", "aws_s3_bucket_policy"} <= created
    # moto evaluates bucket-policy Deny statements without their conditions, so the TLS-only policy would deny
    # every request; AWS honours aws:SecureTransport. Only for the emulator, that one policy goes.
    (policy,) = [f"aws_s3_bucket_policy.{r['name']}" for r in state["resources"] if r["type"] == "aws_s3_bucket_policy"]
    terraform(bootstrap, terraform_env, "destroy", f"-target={policy}", "-auto-approve", "-input=false")

    # 2. the environment: S3 backend exactly as synthesized, plus the emulator's endpoints
    document = json.loads((dev / "cdk.tf.json").read_text())
    backend = dict(document["terraform"]["backend"]["s3"])
    assert backend["bucket"] == state["outputs"]["state_bucket_name"]["value"]
    assert backend["dynamodb_table"] == state["outputs"]["lock_table_name"]["value"]
    backend.update(
        access_key="test",
        secret_key="test",
        insecure=True,
        skip_credentials_validation=True,
        skip_requesting_account_id=True,
        skip_metadata_api_check=True,
        use_path_style=True,
        endpoints={"s3": moto, "dynamodb": moto, "sts": moto, "iam": moto},
    )
    (dev / "moto_override.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"s3": backend}}, "provider": {"aws": [provider_override(moto)]}})
    )
    initialized = terraform(dev, terraform_env, "init", "-input=false").stdout
    assert 'Successfully configured the backend "s3"' in initialized
    assert (dev / ".terraform.lock.hcl").exists()
    planned = terraform(dev, terraform_env, "plan", "-input=false", "-out", "dev.tfplan").stdout
    resources = sum(len(items) for items in document["resource"].values())
    assert f"Plan: {resources} to add, 0 to change, 0 to destroy." in planned

    # 3. the same environment through the cdktf CLI (no re-synth: it would drop the emulator override)
    shutil.copy(PROJECT_DIR / "cdktf.json", project / "cdktf.json")
    cdktf = PROJECT_DIR / "node_modules" / ".bin" / "cdktf"
    env = {**terraform_env, "PATH": f"{cdktf.parent}:{terraform_env['PATH']}", "CHECKPOINT_DISABLE": "1"}
    diff = subprocess.run(
        [str(cdktf), "diff", "dev", "--skip-synth"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert diff.returncode == 0, diff.stdout[-3000:] + diff.stderr[-3000:]
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", diff.stdout)  # the CLI colours Terraform's output
    assert f"Plan: {resources} to add, 0 to change, 0 to destroy." in plain
