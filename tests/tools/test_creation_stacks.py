"""tools/creation-stacks.js: cdktf records creation stacks only on request; the synthesized JSON is the same.

The module-level tests run Node on cdktf's real `lib/tokens/private/stack-trace.js` and package.json (from the
tarball in the cdktf wheel, the file the jsii kernel loads). The synth test runs the real prod synth both ways.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOCAL_NODE, PROJECT_DIR, cdktf_package_files, install_cdktf_files
from tools.jsii_env import CREATION_STACKS_PRELOAD, SILENCE_DEP0044, require_option

pytestmark = pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")

MODULE = "lib/tokens/private/stack-trace.js"
VARIABLE = "PLATFORM_CREATION_STACKS"
HINT = f"(creation stack not recorded: set {VARIABLE}=1 to record it)"
CAPTURE = "console.log(JSON.stringify(require(process.argv[1]).captureStackTrace()))"


@pytest.fixture(scope="module")
def stack_trace_module() -> dict[str, bytes]:
    return cdktf_package_files(lambda name: name in (MODULE, "package.json"))


def install(root: Path, files: dict[str, bytes], *, package_json: dict[str, Any] | None = None) -> Path:
    return install_cdktf_files(root, files, package_json=package_json) / MODULE


def capture(module: Path, *, preload: bool, record: bool = False) -> tuple[list[str], str]:
    options = [SILENCE_DEP0044, *([require_option(CREATION_STACKS_PRELOAD)] if preload else [])]
    env = {**os.environ, "NODE_OPTIONS": " ".join(options)}
    env.pop(VARIABLE, None)
    if record:
        env[VARIABLE] = "1"
    done = subprocess.run(
        [str(LOCAL_NODE), "-e", CAPTURE, str(module)], env=env, capture_output=True, text=True, check=True
    )
    frames: list[str] = json.loads(done.stdout)
    return frames, done.stderr


def test_stacks_are_recorded_only_on_request(stack_trace_module: dict[str, bytes], tmp_path: Path) -> None:
    module = install(tmp_path, stack_trace_module)
    assert capture(module, preload=True) == ([HINT], "")
    recorded, stderr = capture(module, preload=True, record=True)
    published, _ = capture(module, preload=False)
    assert stderr == ""
    assert len(recorded) > 1 and len(published) > 1 and recorded[0] != HINT


def test_another_cdktf_records_stacks_as_published_with_a_warning(
    stack_trace_module: dict[str, bytes], tmp_path: Path
) -> None:
    module = install(tmp_path, stack_trace_module, package_json={"name": "cdktf", "version": "0.22.0"})
    frames, stderr = capture(module, preload=True)
    assert len(frames) > 1 and frames[0] != HINT
    assert stderr == (
        f"warning: {CREATION_STACKS_PRELOAD} left cdktf's creation stacks as they are: cdktf 0.22.0 is not cdktf "
        "0.21.0, the version it was written for; synth records every one (~5% slower)\n"
    )


def test_a_changed_module_records_stacks_as_published_with_a_warning(
    stack_trace_module: dict[str, bytes], tmp_path: Path
) -> None:
    renamed = stack_trace_module[MODULE].replace(b"exports.captureStackTrace = ", b"exports.captureTrace = ")
    assert renamed != stack_trace_module[MODULE]
    module = install(tmp_path, {**stack_trace_module, MODULE: renamed})
    script = "console.log(JSON.stringify(require(process.argv[1]).captureTrace().length > 1))"
    env = {**os.environ, "NODE_OPTIONS": f"{SILENCE_DEP0044} {require_option(CREATION_STACKS_PRELOAD)}"}
    env.pop(VARIABLE, None)
    done = subprocess.run(
        [str(LOCAL_NODE), "-e", script, str(module)], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "true"
    assert "it no longer exports a captureStackTrace function" in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_synthesized_json_does_not_depend_on_it(tmp_path: Path) -> None:
    outputs = {}
    for record in ("0", "1"):
        out = tmp_path / f"record-{record}"
        subprocess.run(
            [sys.executable, "main.py", "--env", "prod", "--out", str(out)],
            cwd=PROJECT_DIR,
            env={**os.environ, VARIABLE: record},
            capture_output=True,
            check=True,
        )
        outputs[record] = (out / "stacks" / "prod" / "cdk.tf.json").read_bytes()
    assert outputs["0"] == outputs["1"]
