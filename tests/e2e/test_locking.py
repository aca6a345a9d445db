"""State locking, proven on moto server for each backend locking mode of the config (`[backend] locking`: dynamodb,
lockfile, both; see stacks/common.py): while one `terraform apply` of a stack holds the lock, a second apply of the
same stack from another folder is refused; the first completes, the state afterwards is intact, the same from both
folders, and the refused folder plans no change on it. Marked `e2e` (skipped by `pytest -m 'not e2e'`).

The first apply is held open by a test-only `terraform_data` whose provisioner waits for a file the test writes once
the second apply has been refused (in an extra test-only file beside `cdk.tf.json`, which is unchanged), so the race is
decided by the lock, never by timing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config import PlatformConfig
from main import synthesize
from tests.e2e.deploy import prepare, stack_document
from tests.e2e.emulator import REGION, aws_call, import_certificate, moto_server, write_overrides
from tests.e2e.profile import profile_override
from tests.terraform import terraform

pytestmark = pytest.mark.e2e

REFUSAL = {
    "dynamodb": "ConditionalCheckFailedException",
    "lockfile": "PreconditionFailed",
    "both": "PreconditionFailed",
}
"""What the second apply's lock attempt is refused with: the lock table's conditional put, or the conditional
(If-None-Match) put of the S3 `.tflock` object, which Terraform takes first when both are on."""

HOLD = "terraform_data.emulator_hold"


@pytest.fixture(scope="module")
def emulator(
    tmp_path_factory: pytest.TempPathFactory, reference_config: PlatformConfig, terraform_env: dict[str, str]
) -> Iterator[tuple[str, dict[str, str]]]:
    """One moto server for the module with the reference config's bootstrap applied (the bucket, table and key)."""
    folder = tmp_path_factory.mktemp("locking")
    synthesize(reference_config, ["dev"], folder / "cdktf.out", project_dir=folder)
    with moto_server(folder / "moto.log") as endpoint:
        bootstrap = folder / "cdktf.out" / "stacks" / "bootstrap"
        prepare(bootstrap, endpoint, {})
        terraform(bootstrap, terraform_env, "init", "-input=false")
        terraform(bootstrap, terraform_env, "apply", "-auto-approve", "-input=false")
        yield endpoint, {REGION: import_certificate(endpoint, REGION, "emulator.example")}


def hold(release: Path) -> dict[str, Any]:
    """A resource whose creation lasts until `release` exists."""
    command = f"while [ ! -e {release} ]; do sleep 0.2; done"
    return {"resource": {"terraform_data": {"emulator_hold": {"provisioner": [{"local-exec": {"command": command}}]}}}}


def state_summary(stack: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    state = json.loads(terraform(stack, env, "state", "pull").stdout)
    addresses = sorted(
        f"{resource['type']}.{resource['name']}" for resource in state["resources"] if resource["mode"] == "managed"
    )
    return state["serial"], addresses


def planned(stack: Path, env: dict[str, str], targets: list[str]) -> list[tuple[str, list[str]]]:
    """The plan of the applied resources from this folder (targeted: the whole stack's plan costs minutes)."""
    terraform(stack, env, "plan", "-input=false", "-out=check.tfplan", *targets)
    plan = json.loads(terraform(stack, env, "show", "-json", "check.tfplan").stdout)
    return sorted((change["address"], change["change"]["actions"]) for change in plan["resource_changes"])


@pytest.mark.parametrize("locking", ["dynamodb", "lockfile", "both"])
def test_a_second_apply_is_refused_by_the_lock(
    locking: str,
    emulator: tuple[str, dict[str, str]],
    config_with: Callable[[dict[str, Any]], PlatformConfig],
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> None:
    endpoint, certificates = emulator
    config = config_with({"backend": {"locking": locking}})
    synthesize(config, ["dev"], tmp_path / "cdktf.out", project_dir=tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(tmp_path / "cdktf.out" / "stacks" / "dev", first)
    document = stack_document(first)
    backend = document["terraform"]["backend"]["s3"]
    assert ("dynamodb_table" in backend) == (locking != "lockfile")
    assert backend.get("use_lockfile", False) == (locking != "dynamodb")
    key = f"locking/{locking}/dev.tfstate"  # one state per mode in the shared bucket
    release = tmp_path / "release"
    (first / "emulator_hold.tf.json").write_text(json.dumps(hold(release)))
    write_overrides(first, endpoint, profile_override("dev", document, certificates))
    override = json.loads((first / "moto_override.tf.json").read_text())
    override["terraform"]["backend"]["s3"]["key"] = key
    (first / "moto_override.tf.json").write_text(json.dumps(override))
    shutil.copytree(first, second)
    (kms_key,) = document["resource"]["aws_kms_key"]
    targets = [f"-target=aws_kms_key.{kms_key}", f"-target={HOLD}"]
    for folder in (first, second):
        terraform(folder, terraform_env, "init", "-input=false")

    apply = ["terraform", "apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s", *targets]
    log = tmp_path / "first.log"
    with log.open("w") as output:
        holder = subprocess.Popen(apply, cwd=first, env=terraform_env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while f"{HOLD}: Creating..." not in log.read_text():
            assert holder.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the first apply never reached the held resource"
            time.sleep(0.5)
        refused = subprocess.run(apply, cwd=second, env=terraform_env, capture_output=True, text=True, check=False)
    finally:
        release.touch()
        holder.wait(timeout=300)
    out = log.read_text()
    assert refused.returncode == 1
    assert "Error acquiring the state lock" in refused.stderr
    assert REFUSAL[locking] in refused.stderr, refused.stderr
    assert holder.returncode == 0, out[-3000:]
    assert "Apply complete! Resources: 2 added, 0 changed, 0 destroyed." in out

    serial, addresses = state_summary(first, terraform_env)
    assert addresses == sorted([f"aws_kms_key.{kms_key}", HOLD])
    assert state_summary(second, terraform_env) == (serial, addresses)
    objects = aws_call(
        endpoint,
        "result = sorted(o['Key'] for o in client('s3').list_objects_v2(Bucket=args[0]).get('Contents', []))",
        backend["bucket"],
    )
    assert key in objects and f"{key}.tflock" not in objects  # the lock object is gone after the apply
    # the refused folder reads the same state (above) and plans nothing to do on it
    assert planned(second, terraform_env, targets) == sorted((address, ["no-op"]) for address in addresses)
