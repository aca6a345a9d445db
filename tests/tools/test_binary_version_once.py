"""tools/binary-version-once.js: cdktf's `terraform version` validation runs once per synth, with the same verdicts.

The class-level tests run Node on cdktf's real `validate-binary-version.js` and package.json (from the tarball in
the cdktf wheel, the file the jsii kernel loads), with a version command that appends a line to a log, so they can
count the runs. The synth test runs the real prod synth with a logging `terraform` first on PATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOCAL_NODE, PROJECT_DIR, cdktf_package_files, install_cdktf_files
from tools.jsii_env import BINARY_VERSION_PRELOAD, SILENCE_DEP0044, require_option

pytestmark = pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")

VALIDATION = "lib/validations/validate-binary-version.js"
WARNING = (
    f"warning: {BINARY_VERSION_PRELOAD} left cdktf's binary-version validation as it is: {{reason}}; "
    "synth runs `terraform version` once per construct that asks"
)
VALIDATE = textwrap.dedent("""
    const { ValidateBinaryVersion } = require(process.argv[1]);
    const command = `echo "Terraform v1.11.4" && echo run >> ${JSON.stringify(process.argv[2])}`;
    const verdicts = [">=1.4", ">=1.5", ">=9.0"].map((wanted) =>
      new ValidateBinaryVersion("terraform", wanted, command, "hint").validate());
    const failing = new ValidateBinaryVersion("terraform", ">=1.0", "exit 3", "").validate();
    console.log(JSON.stringify({ verdicts, failing }));
""")

Json = dict[str, Any]


@pytest.fixture(scope="module")
def cdktf_package() -> dict[str, bytes]:
    """The validation module, cdktf's package.json and the semver it requires, from the cdktf wheel's tarball."""
    files = cdktf_package_files(
        lambda name: name in (VALIDATION, "package.json") or name.startswith("node_modules/semver/")
    )
    assert VALIDATION in files and "node_modules/semver/package.json" in files
    return files


def install_package(root: Path, files: dict[str, bytes], *, package_json: Json | None = None) -> Path:
    return install_cdktf_files(root, files, package_json=package_json) / VALIDATION


def validate(module: Path, log: Path, *, preload: bool) -> tuple[Json, int, str]:
    """(verdicts, how many times the version command ran, stderr) of three validations and one failing command."""
    options = [SILENCE_DEP0044, *([require_option(BINARY_VERSION_PRELOAD)] if preload else [])]
    done = subprocess.run(
        [str(LOCAL_NODE), "-e", VALIDATE, str(module), str(log)],
        env={**os.environ, "NODE_OPTIONS": " ".join(options)},
        capture_output=True,
        text=True,
        check=True,
    )
    runs = len(log.read_text().splitlines()) if log.exists() else 0
    return json.loads(done.stdout), runs, done.stderr


def test_the_version_command_runs_once_and_every_construct_keeps_its_verdict(
    cdktf_package: dict[str, bytes], tmp_path: Path
) -> None:
    module = install_package(tmp_path, cdktf_package)
    once, once_runs, once_stderr = validate(module, tmp_path / "once.log", preload=True)
    each, each_runs, each_stderr = validate(module, tmp_path / "each.log", preload=False)
    assert (once_runs, each_runs) == (1, 3)
    assert once == each
    assert once["verdicts"][:2] == [[], []]
    assert "lower than the required version >=9.0" in once["verdicts"][2][0]
    assert once["failing"][0].startswith("Could not determine version of terraform, exit 3 failed")
    assert once_stderr == each_stderr == ""


@pytest.mark.parametrize(
    ("package_json", "reason"),
    [
        ({"name": "cdktf", "version": "0.20.11"}, "cdktf 0.20.11 is not cdktf 0.21.0, the version it was written for"),
        (
            {"name": "something-else", "version": "0.21.0"},
            "something-else 0.21.0 is not cdktf 0.21.0, the version it was written for",
        ),
    ],
)
def test_another_cdktf_is_left_as_published_with_a_warning(
    cdktf_package: dict[str, bytes], tmp_path: Path, package_json: Json, reason: str
) -> None:
    module = install_package(tmp_path, cdktf_package, package_json=package_json)
    _, runs, stderr = validate(module, tmp_path / "runs.log", preload=True)
    assert runs == 3
    assert stderr == WARNING.format(reason=reason) + "\n"


def test_a_changed_validate_method_is_left_as_published_with_a_warning(
    cdktf_package: dict[str, bytes], tmp_path: Path
) -> None:
    changed = cdktf_package[VALIDATION].replace(b"execSync)(this.versionCommand", b"execSync)(`${this.versionCommand}`")
    assert changed != cdktf_package[VALIDATION]
    module = install_package(tmp_path, {**cdktf_package, VALIDATION: changed})
    _, runs, stderr = validate(module, tmp_path / "runs.log", preload=True)
    assert runs == 3
    assert stderr == WARNING.format(reason="validate() no longer calls execSync(this.versionCommand") + "\n"


LOGGING_TERRAFORM = """#!/bin/sh
echo "$*" >> "{log}"
echo "Terraform v1.11.4"
"""


def test_a_prod_synth_asks_terraform_for_its_version_once(tmp_path: Path) -> None:
    """Prod has several `terraform_data` resources (modules/protection.py), each carrying cdktf's version check."""
    log = tmp_path / "terraform.log"
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    fake.write_text(LOGGING_TERRAFORM.format(log=log))
    fake.chmod(0o755)
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "main.py", "--env", "prod", "--out", str(out)],
        cwd=PROJECT_DIR,
        env={**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads((out / "stacks" / "prod" / "cdk.tf.json").read_text())
    assert len(document["resource"]["terraform_data"]) > 1
    assert log.read_text().splitlines() == ["version"]
