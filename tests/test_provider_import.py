"""The lazy provider import must give exactly what the eager import gives, and refuse an unknown package."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from modules import provider_import
from tests.conftest import PROJECT_DIR

SYNTH = textwrap.dedent("""
    import sys
    if sys.argv[1] == "eager":
        import cdktf_cdktf_provider_aws  # the package's own __init__: all ~2,100 submodules
        assert len([m for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.")]) > 2000
    import tomllib
    from pathlib import Path
    from config import load_config
    from main import synthesize
    config = load_config(Path("environments.toml").read_text(), "environments.toml")
    synthesize(config, config.environment_names, Path(sys.argv[2]))
    loaded = [m for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.")]
    print(len(loaded))
""")


def test_lazy_and_eager_imports_synthesize_identical_json(tmp_path: Path, synthesized: Path) -> None:
    """The same reference synth through the package's eager __init__ is byte-identical to the lazy one."""
    result = subprocess.run(
        [sys.executable, "-c", SYNTH, "eager", str(tmp_path / "eager")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for stack in ("bootstrap", "dev", "stg", "prod"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (tmp_path / "eager" / relative).read_bytes() == (synthesized / relative).read_bytes(), stack


def test_lazy_import_loads_only_the_submodules_in_use(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SYNTH, "lazy", str(tmp_path / "lazy")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert 10 < int(result.stdout.strip().splitlines()[-1]) < 300  # of ~2,100: the ~20 kinds of service in use


def test_refuses_a_provider_version_it_was_not_verified_against(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, provider_import.PACKAGE)
    monkeypatch.setattr(importlib.metadata, "version", lambda _: "21.0.0")
    with pytest.raises(provider_import.ProviderImportError, match=r"21\.0\.0 is installed but .* 20\.1\.0"):
        provider_import.install()


def test_unknown_resource_type_fails_loudly() -> None:
    with pytest.raises(ModuleNotFoundError):
        __import__("cdktf_cdktf_provider_aws.no_such_resource")
