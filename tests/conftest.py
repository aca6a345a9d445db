"""Shared fixtures: the reference config, configs built from it with overrides, and synthesized stacks."""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tools import jsii_env

# Before anything starts the jsii kernel (each xdist worker starts its own): the pinned Node and the lazy provider
# preload, exactly as main.py sets them.
os.environ.update(jsii_env.jsii_node_environment(os.environ))

import modules  # noqa: F401  (cheap provider import before anything touches cdktf_cdktf_provider_aws)
from config import PlatformConfig, build_config
from config.loader import deep_merge
from tools.terraformrc import DEFAULT_MIRROR, terraformrc_text

PROJECT_DIR = jsii_env.PROJECT_DIR
LOCAL_NODE = jsii_env.LOCAL_NODE  # tests that need the pinned Node skip without it

REFERENCE_CONFIG = PROJECT_DIR / "environments.toml"

# The two e2e deployment files take 7-10 minutes each, most of it the provider's waiters sleeping. pyproject's
# `--dist loadfile --no-loadscope-reorder` makes xdist hand out files in collection order, the first one to each
# worker: putting these two first gives them different workers, and the rest of the suite fills in beside them.
# (With xdist's default reorder by test count, both once landed on one worker and CI took 31 minutes.)
LONGEST_FILES_FIRST = ("tests/e2e/test_deploy.py", "tests/e2e/test_deploy_examples.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the longest test files to the front; the sort is stable, so every other order is kept."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FILES_FIRST.index(path) if path in LONGEST_FILES_FIRST else len(LONGEST_FILES_FIRST)

    items.sort(key=rank)


Json = dict[str, Any]


@pytest.fixture(scope="session")
def reference_document() -> Json:
    """environments.toml as parsed TOML."""
    with REFERENCE_CONFIG.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="session")
def reference_config(reference_document: Json) -> PlatformConfig:
    return build_config(copy.deepcopy(reference_document), "environments.toml")


@pytest.fixture
def config_with(reference_document: Json) -> Callable[[Json], PlatformConfig]:
    """The reference config with a TOML-shaped override deep-merged in (tables merge, values replace)."""

    def build(override: Json) -> PlatformConfig:
        return build_config(deep_merge(copy.deepcopy(reference_document), override), "test.toml")

    return build


def jsii_tarball(package: str) -> Path:
    """The npm tarball a jsii wheel bundles (`<package>/_jsii/*.tgz`): the JavaScript the kernel loads."""
    from tools.kernel_start import assembly_loads

    loads = assembly_loads([package])
    assert loads is not None, f"{package} has no jsii assembly loader of the generated shape"
    return loads[0].tarball


def cdktf_package_files(names: Callable[[str], bool]) -> dict[str, bytes]:
    """The files of the cdktf wheel's npm tarball whose path (below `package/`) `names` accepts."""
    import tarfile

    files = {}
    with tarfile.open(jsii_tarball("cdktf")) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/")
            if member.isfile() and names(name):
                extracted = archive.extractfile(member)
                assert extracted is not None
                files[name] = extracted.read()
    return files


def install_cdktf_files(root: Path, files: dict[str, bytes], *, package_json: Json | None = None) -> Path:
    """Write the files as `<root>/node_modules/cdktf/...` (package.json replaced if given); the package folder."""
    package = root / "node_modules" / "cdktf"
    for name, content in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes(content)
    if package_json is not None:
        (package / "package.json").write_text(json.dumps(package_json))
    return package


def synth_json(stack: Any) -> Json:
    """The stack's Terraform JSON, through cdktf's Testing.synth."""
    from cdktf import Testing

    document: Json = json.loads(Testing.synth(stack))
    return document


def platform_json(config: PlatformConfig, name: str) -> Json:
    """One environment of `config` as a single `PlatformStack`, synthesized in process."""
    from cdktf import Testing

    from stacks.platform import PlatformStack

    app = Testing.app()
    return synth_json(PlatformStack(app, name, project=config.project, environment=config.environment(name)))


def resources(document: Json, resource_type: str) -> dict[str, Json]:
    """All resources of one type in a synthesized stack, by logical id."""
    return dict(document.get("resource", {}).get(resource_type, {}))


def only(document: Json, resource_type: str) -> Json:
    """The single resource of a type; fails if there is not exactly one."""
    found = resources(document, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


@pytest.fixture(scope="session")
def terraformrc(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A CLI config pointing Terraform at the provider mirror, or None to use the registry."""
    if not DEFAULT_MIRROR.is_dir():
        return None
    path = tmp_path_factory.mktemp("terraform") / "terraformrc"
    path.write_text(terraformrc_text(DEFAULT_MIRROR))
    return path


@pytest.fixture(scope="session")
def terraform_env(terraformrc: Path | None) -> dict[str, str]:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    if terraformrc is not None:
        env["TF_CLI_CONFIG_FILE"] = str(terraformrc)
    return env


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, reference_config: PlatformConfig) -> Iterator[Path]:
    """The whole reference config synthesized once per test worker, as `main.py` writes it."""
    from main import synthesize

    outdir = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(reference_config, reference_config.environment_names, outdir)
    yield outdir


def config_from_file(path: Path) -> PlatformConfig:
    """A config file loaded as `main.py --config <path>` loads it (messages name it relative to the project)."""
    from config import load_config

    source = str(path.relative_to(PROJECT_DIR)) if path.is_relative_to(PROJECT_DIR) else str(path)
    return load_config(path.read_text(encoding="utf-8"), source)


@pytest.fixture(scope="session")
def synthesized_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """Synthesize every environment of a config file, once per test worker and file, as `main.py` writes it."""
    from main import synthesize

    outdirs: dict[Path, Path] = {}

    def synth(path: Path) -> Path:
        if path not in outdirs:
            config = config_from_file(path)
            outdir = tmp_path_factory.mktemp(f"synth-{path.parent.name}") / "cdktf.out"
            synthesize(config, config.environment_names, outdir)
            outdirs[path] = outdir
        return outdirs[path]

    return synth


LAYERED_PROD = {"environments": {"prod": {"state": "per_layer"}}}
"""The second config of the tests: the reference config with prod kept in one state per layer (seed 004's shape)."""


@pytest.fixture(scope="session")
def layered_config(reference_document: Json) -> PlatformConfig:
    return build_config(deep_merge(copy.deepcopy(reference_document), LAYERED_PROD), "layered.toml")


@pytest.fixture(scope="session")
def layered_synthesized(tmp_path_factory: pytest.TempPathFactory, layered_config: PlatformConfig) -> Iterator[Path]:
    """The layered config synthesized once per test worker: dev and stg in one state each, prod in one per layer."""
    from main import synthesize

    outdir = tmp_path_factory.mktemp("layered") / "cdktf.out"
    synthesize(layered_config, layered_config.environment_names, outdir)
    yield outdir


def stack_names(outdir: Path) -> list[str]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    return sorted(manifest["stacks"])


@pytest.fixture(scope="session", autouse=True)
def _remove_testing_outdirs() -> Iterator[None]:
    """Testing.app() leaves a cdktf.outdir.* folder in the temp dir per call; remove this session's."""
    import glob
    import shutil
    import tempfile

    pattern = os.path.join(tempfile.gettempdir(), "cdktf.outdir.*")
    before = set(glob.glob(pattern))
    yield
    for leftover in set(glob.glob(pattern)) - before:
        shutil.rmtree(leftover, ignore_errors=True)
