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
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config import PlatformConfig
from main import synthesize
from tests.conftest import PROJECT_DIR
from tests.e2e.emulator import emulator_backend, emulator_overrides, moto_server, object_encryption, provider_override
from tests.terraform import terraform


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    """A moto server with TLS on a free loopback port (the state bucket refuses plain HTTP)."""
    with moto_server() as endpoint:
        yield endpoint


def test_bootstrap_then_environment_plan_on_the_created_backend(
    moto: str,
    reference_config: PlatformConfig,
    config_with: Callable[[dict[str, Any]], PlatformConfig],
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> None:
    project = tmp_path / "project"  # stands in for the user's checkout: bootstrap's local state lands here
    synthesize(reference_config, ["dev"], project / "cdktf.out", project_dir=project)
    bootstrap, dev = project / "cdktf.out" / "stacks" / "bootstrap", project / "cdktf.out" / "stacks" / "dev"

    # 1. bootstrap: local state at the project root, creates bucket, table and key
    (bootstrap / "moto_override.tf.json").write_text(json.dumps({"provider": {"aws": [provider_override(moto)]}}))
    terraform(bootstrap, terraform_env, "init", "-input=false")
    applied = terraform(bootstrap, terraform_env, "apply", "-auto-approve", "-input=false").stdout
    assert "Apply complete! Resources: 11 added" in applied
    state = json.loads((project / "terraform.bootstrap.tfstate").read_text())
    created = {resource["type"] for resource in state["resources"] if resource["mode"] == "managed"}
    assert {"aws_s3_bucket", "aws_dynamodb_table", "aws_kms_key", "aws_s3_bucket_policy"} <= created
    assert "aws_iam_openid_connect_provider" in created  # the account's one GitHub provider, before any role trusts it
    # moto evaluates bucket-policy Deny statements without their conditions, so the TLS-only policy would deny
    # every request; AWS honours aws:SecureTransport. Only for the emulator, that one policy goes.
    (policy,) = [f"aws_s3_bucket_policy.{r['name']}" for r in state["resources"] if r["type"] == "aws_s3_bucket_policy"]
    terraform(bootstrap, terraform_env, "destroy", f"-target={policy}", "-auto-approve", "-input=false")

    # 2. the environment: S3 backend exactly as synthesized, plus the emulator's endpoints
    document = json.loads((dev / "cdk.tf.json").read_text())
    backend = emulator_backend(document, moto)
    assert backend["bucket"] == state["outputs"]["state_bucket_name"]["value"]
    assert backend["dynamodb_table"] == state["outputs"]["lock_table_name"]["value"]
    assert backend["kms_key_id"] == state["outputs"]["kms_key_alias"]["value"]
    (dev / "moto_override.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"s3": backend}}, "provider": {"aws": [provider_override(moto)]}})
    )
    initialized = terraform(dev, terraform_env, "init", "-input=false").stdout
    assert 'Successfully configured the backend "s3"' in initialized
    assert (dev / ".terraform.lock.hcl").exists()
    planned = terraform(dev, terraform_env, "plan", "-input=false", "-out", "dev.tfplan").stdout
    resources = sum(len(items) for items in document["resource"].values())
    assert f"Plan: {resources} to add, 0 to change, 0 to destroy." in planned

    # 3. a real state write (one cheap resource): the state object is SSE-KMS under the bootstrap CMK, not the
    # SSE-S3 that `encrypt = true` alone sends
    (kms_key,) = document["resource"]["aws_kms_key"]
    applied = terraform(dev, terraform_env, "apply", f"-target=aws_kms_key.{kms_key}", "-auto-approve").stdout
    assert "Apply complete! Resources: 1 added" in applied
    state_key_arn = state["outputs"]["kms_key_arn"]["value"]
    assert object_encryption(moto, backend["bucket"], backend["key"]) == {
        "ServerSideEncryption": "aws:kms",
        "KeyArn": state_key_arn,
    }

    # 4. S3 native locking (`locking = "lockfile"`): the `.tflock` object Terraform holds during an operation
    # is encrypted the same way. `terraform console` holds the state lock while it is open.
    lockfile = project / "lockfile"
    synthesize(
        config_with({"environments": {"dev": {"backend": {"locking": "lockfile"}}}}),
        ["dev"],
        lockfile / "cdktf.out",
        project_dir=lockfile,
    )
    locked_dev = lockfile / "cdktf.out" / "stacks" / "dev"
    locked_document = json.loads((locked_dev / "cdk.tf.json").read_text())
    locked_backend = emulator_backend(locked_document, moto)
    assert locked_backend["use_lockfile"] is True and "dynamodb_table" not in locked_backend
    (locked_dev / "moto_override.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"s3": locked_backend}}, "provider": {"aws": [provider_override(moto)]}})
    )
    terraform(locked_dev, terraform_env, "init", "-input=false")
    console = subprocess.Popen(
        ["terraform", "console", "-no-color"],
        cwd=locked_dev,
        env=terraform_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock_object = f"{locked_backend['key']}.tflock"
        deadline = time.monotonic() + 60
        while True:
            try:
                lock_encryption = object_encryption(moto, locked_backend["bucket"], lock_object)
                break
            except AssertionError:
                if time.monotonic() > deadline or console.poll() is not None:
                    raise
                time.sleep(0.5)
        assert lock_encryption == {"ServerSideEncryption": "aws:kms", "KeyArn": state_key_arn}
    finally:
        console.communicate("exit\n", timeout=60)
    assert console.returncode == 0

    # 5. one state per layer: the cdktf CLI deploys the key and the registry (a glob, in dependency order, the
    # registry reading the key's ARN from the key's state), then plain Terraform plans the network on top of them
    layered = project / "layered"
    synthesize(
        config_with({"environments": {"dev": {"state": "per_layer"}}}),
        ["dev"],
        layered / "cdktf.out",
        project_dir=layered,
    )
    stacks = layered / "cdktf.out" / "stacks"
    for stack in sorted(stacks.glob("dev-*")):
        layer_document = json.loads((stack / "cdk.tf.json").read_text())
        (stack / "moto_override.tf.json").write_text(json.dumps(emulator_overrides(layer_document, moto)))
    shutil.copy(PROJECT_DIR / "cdktf.json", layered / "cdktf.json")
    cdktf = PROJECT_DIR / "node_modules" / ".bin" / "cdktf"
    env = {**terraform_env, "PATH": f"{cdktf.parent}:{terraform_env['PATH']}", "CHECKPOINT_DISABLE": "1"}
    deploy = subprocess.run(
        [str(cdktf), "deploy", "dev-@(registry|encryption)", "--skip-synth", "--skip-provider-lock", "--auto-approve"],
        cwd=layered,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    deployed = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", deploy.stdout)
    assert deploy.returncode == 0, deployed[-3000:] + deploy.stderr[-3000:]
    assert deployed.index("dev-encryption") < deployed.index("dev-registry")
    for state in ("encryption", "registry"):
        assert object_encryption(moto, backend["bucket"], f"acme/dev/{state}.tfstate") == {
            "ServerSideEncryption": "aws:kms",
            "KeyArn": state_key_arn,
        }
    key_arn = json.loads(terraform(stacks / "dev-encryption", terraform_env, "output", "-json").stdout)["kms_key_arn"]
    registry = json.loads(terraform(stacks / "dev-registry", terraform_env, "show", "-json").stdout)
    repositories = [r for r in registry["values"]["root_module"]["resources"] if r["type"] == "aws_ecr_repository"]
    assert repositories and all(
        r["values"]["encryption_configuration"][0]["kms_key"] == key_arn["value"] for r in repositories
    )

    network = stacks / "dev-network"
    terraform(network, terraform_env, "init", "-input=false")
    terraform(network, terraform_env, "plan", "-input=false", "-out", "network.tfplan")
    plan = json.loads(terraform(network, terraform_env, "show", "-json", "network.tfplan").stdout)
    flow_logs = [
        change["change"]["after"]
        for change in plan["resource_changes"]
        if change["type"] == "aws_cloudwatch_log_group" and change["change"]["actions"] == ["create"]
    ]
    assert flow_logs and all(group["kms_key_id"] == key_arn["value"] for group in flow_logs)
    network_resources = sum(
        len(items) for items in json.loads((network / "cdk.tf.json").read_text())["resource"].values()
    )
    assert len([c for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]]) == network_resources
