"""Booting the jsii kernel early changes nothing but when Node does its start-up work."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LOCAL_NODE, PROJECT_DIR
from tools.kernel_start import PACKAGES, assembly_loads, wants_synth

pytestmark = pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node (npm ci)")


def test_the_loads_are_read_from_the_installed_bindings() -> None:
    loads = assembly_loads()
    assert loads is not None
    assert [load.name for load in loads] == ["constructs", "cdktf", "@cdktf/provider-aws"]
    distributions = ("constructs", "cdktf", "cdktf-cdktf-provider-aws")
    assert [load.version for load in loads] == [importlib.metadata.version(name) for name in distributions]
    for package, load in zip(PACKAGES, loads, strict=True):
        assert load.tarball.is_file()
        assert load.tarball.parent.parent.name == package


LOADER = """import jsii
__jsii_assembly__ = jsii.JSIIAssembly.load(
    "odd", "1.0.0", __name__[0:-6], "odd@1.0.0.jsii.tgz"
)
"""


@pytest.mark.parametrize(
    ("loader", "tarball", "found"),
    [
        (LOADER, True, True),
        (LOADER, False, False),  # the loader names a file that is not there
        (LOADER.replace("JSIIAssembly.load", "JSIIAssembly.load_from"), True, False),  # another shape
        (None, True, False),  # no loader module
    ],
)
def test_a_loader_of_another_shape_starts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str | None, tarball: bool, found: bool
) -> None:
    folder = tmp_path / "oddpkg" / "_jsii"
    folder.mkdir(parents=True)
    (folder.parent / "__init__.py").write_text("")
    if loader is not None:
        (folder / "__init__.py").write_text(loader)
    if tarball:
        (folder / "odd@1.0.0.jsii.tgz").write_bytes(b"")
    monkeypatch.syspath_prepend(str(tmp_path))
    loads = assembly_loads(["oddpkg"])
    assert (loads is not None) == found
    if loads is not None:
        assert loads[0].name == "odd" and loads[0].version == "1.0.0"
    assert assembly_loads(["no_such_package_here"]) is None


@pytest.mark.parametrize(
    ("argv", "synth"),
    [
        ([], True),
        (["--env", "dev", "--out", "x"], True),
        (["--help"], False),
        (["--env", "dev", "-h"], False),
        (["workflows", "--out", "x"], False),
        (["cost"], False),
        (["diagram"], False),
        (["synth", "--env", "dev"], False),  # not a subcommand: argparse refuses it, no kernel is needed
    ],
)
def test_only_a_synth_starts_early(argv: list[str], synth: bool) -> None:
    assert wants_synth(argv) is synth


SYNTH = """
import os, sys
sys.path.insert(0, sys.argv[1])
from tools.kernel_start import start_early
process = start_early(os.environ) if sys.argv[2] == "early" else None
import modules  # the lazy provider import, as main.py has it
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
stack = TerraformStack(Testing.app(), "early")
S3Bucket(stack, "bucket", bucket="logs", tags={"Name": "logs"})
print(Testing.synth(stack))
if process is not None:
    assert "send" not in vars(process), "the first request did not read the early answers"
"""


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key not in ("JSII_NODE", "NODE_OPTIONS")}
    return subprocess.run(
        [sys.executable, "-c", script, str(PROJECT_DIR), *args],
        capture_output=True,
        text=True,
        check=False,
        env=environ,
        timeout=120,
    )


def test_bindings_used_after_an_early_start_synthesize_the_same() -> None:
    early, late = run(SYNTH, "early"), run(SYNTH, "late")
    assert early.returncode == 0, early.stderr
    assert late.returncode == 0, late.stderr
    assert '"bucket": "logs"' in early.stdout
    assert early.stdout == late.stdout


UNUSED = """
import atexit, os, sys
sys.path.insert(0, sys.argv[1])
from tools.kernel_start import start_early
process = None
atexit.register(lambda: print("node ended with", process._process.returncode))  # runs last
process = start_early(os.environ)
assert process is not None
sys.exit(2)
"""


def test_an_early_kernel_no_binding_used_is_killed_at_exit() -> None:
    """A run that fails on bad input does not wait for Node to finish booting and loading first."""
    result = run(UNUSED)
    assert result.returncode == 2
    assert result.stdout == "node ended with -9\n"
    assert result.stderr == ""


HOOK = """
import runpy, sys
sys.path.insert(0, sys.argv[1])
import tools.kernel_start

def record(environ):
    print("started early; config code imported before:", "config" in sys.modules, flush=True)

tools.kernel_start.start_early = record
sys.argv = ["main.py", *sys.argv[2:]]
runpy.run_path(sys.path[0] + "/main.py", run_name="__main__")
"""


@pytest.mark.parametrize(("args", "early"), [(["--config", "nope.toml"], True), (["--help"], False)])
def test_main_py_starts_the_kernel_before_it_imports_the_config_code(
    tmp_path: Path, args: list[str], early: bool
) -> None:
    result = run(HOOK, *args, "--out", str(tmp_path / "out"))
    started = "started early; config code imported before: False\n"
    assert (started in result.stdout) is early, result.stdout + result.stderr
    assert "before: True" not in result.stdout


def test_nothing_starts_once_jsii_is_imported() -> None:
    """The test process has jsii loaded (its kernel may be running and its hello read): start_early stays out."""
    from tools.kernel_start import start_early

    assert "jsii" in sys.modules
    environ: dict[str, str] = {}
    assert start_early(environ) is None
    assert environ == {}


BROKEN_NODE = """
import os, sys
sys.path.insert(0, sys.argv[1])
from tools.kernel_start import start_early
os.environ["JSII_NODE"] = "/bin/false"  # starts, and exits at once
process = start_early(os.environ) if sys.argv[2] == "early" else None
import cdktf
"""


def test_a_kernel_that_dies_at_once_fails_as_jsii_fails() -> None:
    early, late = run(BROKEN_NODE, "early"), run(BROKEN_NODE, "late")
    assert early.returncode == late.returncode == 1
    assert early.stderr.splitlines()[-1] == late.stderr.splitlines()[-1], early.stderr + late.stderr
