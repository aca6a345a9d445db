"""tools/lazy-provider-index.js: the provider's JavaScript loads lazily, gives the same Terraform, and refuses loudly.

The package-level tests run Node on a stand-in `@cdktf/provider-aws` (the real 20.1.0 `lib/index.js` and
package.json from the wheel's tarball, one stub module per submodule), so they can see which modules load. The synth
tests run the real reference synth in subprocesses, with a test preload that reports how many provider modules the
jsii kernel loaded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LOCAL_NODE, PROJECT_DIR, jsii_tarball, stack_names
from tools.jsii_env import LAZY_PROVIDER_PRELOAD, SILENCE_DEP0044, jsii_node_environment, require_option

pytestmark = pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")

REPORT_PRELOAD = Path(__file__).with_name("provider_modules_report.js")
REQUIRE_LINE = re.compile(r'^exports\.(\w+) = require\("\./([\w.-]+)"\);$', re.MULTILINE)
REQUIRED = re.compile(r"""require\(["']\./([\w.-]+)["']\)""")
SUBMODULES = 2135
WARNING = (
    f"warning: {LAZY_PROVIDER_PRELOAD} left @cdktf/provider-aws's index as it is: {{reason}}; "
    f"loading it eagerly, synth will be ~3 s slower"
)
LOAD = textwrap.dedent("""
    const path = require("path");
    const lib = path.join(process.argv[1], "lib") + path.sep;
    const loaded = () => Object.keys(require.cache).filter((f) => f.startsWith(lib) && f !== lib + "index.js").length;
    const provider = require(process.argv[1]);
    const atLoad = loaded();
    const vpc = provider.vpc.submodule;
    console.log(JSON.stringify({ keys: Object.keys(provider), atLoad, vpc, afterUse: loaded() }));
""")

Json = dict[str, Any]


@pytest.fixture(scope="module")
def provider_package() -> tuple[str, Json]:
    """The real `lib/index.js` and package.json of the provider's JavaScript, from the tarball in the wheel."""
    with tarfile.open(jsii_tarball("cdktf_cdktf_provider_aws")) as archive:
        index = archive.extractfile("package/lib/index.js")
        package_json = archive.extractfile("package/package.json")
        assert index is not None and package_json is not None
        return index.read().decode(), json.loads(package_json.read())


def make_package(root: Path, index: str, package_json: Json, *, folder: str = "node_modules") -> tuple[Path, int]:
    """A stand-in provider package (index, package.json, a stub per required submodule); (its folder, stubs)."""
    package = root / folder / "@cdktf" / "provider-aws"
    (package / "lib").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps(package_json))
    (package / "lib" / "index.js").write_text(index)
    submodules = set(REQUIRED.findall(index))
    for submodule in submodules:
        (package / "lib" / f"{submodule}.js").write_text(f"exports.submodule = {json.dumps(submodule)};\n")
    return package, len(submodules)


def load(package: Path, *, lazy_provider: bool) -> tuple[Json, list[str]]:
    """Require the package in the jsii kernel's Node with the project's options; (what it saw, stderr lines)."""
    result = subprocess.run(
        [str(LOCAL_NODE), "-e", LOAD, str(package)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **jsii_node_environment({}, lazy_provider=lazy_provider)},
    )
    assert result.returncode == 0, result.stderr
    seen: Json = json.loads(result.stdout)
    return seen, result.stderr.splitlines()


def test_the_wheel_holds_the_index_the_preload_was_written_for(provider_package: tuple[str, Json]) -> None:
    index, package_json = provider_package
    assert (package_json["name"], package_json["version"]) == ("@cdktf/provider-aws", "20.1.0")
    assert len(REQUIRE_LINE.findall(index)) == SUBMODULES


def test_lazy_index_loads_only_the_submodules_used(tmp_path: Path, provider_package: tuple[str, Json]) -> None:
    package, stubs = make_package(tmp_path, *provider_package)
    assert stubs == SUBMODULES
    lazy, lazy_stderr = load(package, lazy_provider=True)
    eager, eager_stderr = load(package, lazy_provider=False)
    assert lazy_stderr == eager_stderr == []
    assert (eager["atLoad"], eager["afterUse"]) == (SUBMODULES, SUBMODULES)
    assert (lazy["atLoad"], lazy["afterUse"]) == (0, 1)
    assert lazy["vpc"] == eager["vpc"] == "vpc"
    assert lazy["keys"] == eager["keys"]  # same names in the same order: the jsii kernel walks these
    assert len(lazy["keys"]) == SUBMODULES


VPC = 'exports.vpc = require("./vpc");'
IPAM = 'exports.vpcIpam = require("./vpc-ipam");'


@pytest.mark.parametrize(
    ("old", "new", "version", "reason"),
    [
        (
            "",
            "",
            "21.0.0",
            "@cdktf/provider-aws 21.0.0 is not @cdktf/provider-aws 20.1.0, the version it was written for",
        ),
        (VPC, f'{VPC}\nexports.vpcX = require("./vpc-x");', "20.1.0", "it has 2136 submodule exports instead of 2135"),
        (f"{IPAM}\n", "", "20.1.0", "it has 2134 submodule exports instead of 2135"),
        (
            VPC,
            "exports.vpc = require('./vpc');",
            "20.1.0",
            "line {line} has an unexpected shape: \"exports.vpc = require('./vpc');\"",
        ),
        (IPAM, 'exports.vpc = require("./vpc-ipam");', "20.1.0", "line {line} exports vpc a second time"),
    ],
    ids=["version", "extra-export", "missing-export", "other-shape", "duplicate"],
)
def test_guard_leaves_a_changed_package_eager_with_one_warning(  # noqa: PLR0917  (the parameters of each case)
    tmp_path: Path, provider_package: tuple[str, Json], old: str, new: str, version: str, reason: str
) -> None:
    original, package_json = provider_package
    index = original.replace(old, new, 1) if old else original
    assert index != original or version != package_json["version"]
    line = next((number for number, text in enumerate(index.split("\n"), 1) if new and text == new), 0)
    package, stubs = make_package(tmp_path, index, {**package_json, "version": version})
    seen, stderr = load(package, lazy_provider=True)
    assert stderr == [WARNING.format(reason=reason.format(line=line))]
    assert seen["atLoad"] == stubs  # left alone: every submodule compiled at load, as without the preload
    assert seen["vpc"] in ("vpc", "vpc-ipam")  # and the package works


def test_a_package_loaded_from_elsewhere_is_eager_with_one_warning(
    tmp_path: Path, provider_package: tuple[str, Json]
) -> None:
    """If the runtime stops loading the package from node_modules/, the index is not matched: say so, once."""
    package, stubs = make_package(tmp_path, *provider_package, folder="vendor")
    seen, stderr = load(package, lazy_provider=True)
    suffix = os.sep + os.path.join("node_modules", "@cdktf", "provider-aws", "lib", "index.js")
    assert stderr == [
        f"warning: {LAZY_PROVIDER_PRELOAD} saw {package / 'lib' / 'index.js'} before any file ending in {suffix}: "
        f"the package is loaded from a path it does not match; loading it eagerly, synth will be ~3 s slower"
    ]
    assert seen["atLoad"] == stubs


EAGER_SYNTH = textwrap.dedent("""
    import sys
    from pathlib import Path
    from config import load_config
    from main import synthesize
    config = load_config(Path("environments.toml").read_text(), "environments.toml")
    synthesize(config, config.environment_names, Path(sys.argv[1]))
""")


def provider_modules_loaded(report: Path) -> int:
    """The most provider modules one Node process of the run loaded (the jsii kernel; its host loads none)."""
    counts = [int(line.split()[1]) for line in report.read_text().splitlines()]
    assert counts, "no Node process reported"
    return max(counts)


def assert_same_stacks(outdir: Path, reference: Path) -> None:
    assert stack_names(reference) == ["bootstrap", "dev", "prod", "stg"]
    assert stack_names(outdir) == stack_names(reference)
    for stack in stack_names(reference):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (outdir / relative).read_bytes() == (reference / relative).read_bytes(), stack


def test_main_synthesizes_lazily(tmp_path: Path, synthesized: Path) -> None:
    """`python main.py` (what `make synth` and cdktf.json's `app` run) loads ~130 provider modules, not 2,135, and
    writes the same bytes as the test suite's in-process synth (the `synthesized` fixture, also lazy)."""
    report = tmp_path / "report"
    environ = {key: value for key, value in os.environ.items() if key != "NODE_OPTIONS"}
    result = subprocess.run(
        [sys.executable, "main.py", "--out", str(tmp_path / "out")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env={**environ, "NODE_OPTIONS": require_option(REPORT_PRELOAD), "PROVIDER_MODULES_REPORT": str(report)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "warning" not in result.stderr
    assert 10 < provider_modules_loaded(report) < 400
    assert_same_stacks(tmp_path / "out", synthesized)


def test_lazy_and_eager_provider_loads_synthesize_identical_json(tmp_path: Path, synthesized: Path) -> None:
    """Every stack of the reference config, synthesized with the whole provider loaded eagerly, is byte-identical to
    the lazy synth."""
    report = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-c", EAGER_SYNTH, str(tmp_path / "eager")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "NODE_OPTIONS": f"{SILENCE_DEP0044} {require_option(REPORT_PRELOAD)}",
            "PROVIDER_MODULES_REPORT": str(report),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert provider_modules_loaded(report) > 2135
    assert_same_stacks(tmp_path / "eager", synthesized)
