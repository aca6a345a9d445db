"""main.py as users run it: options and environment variables, summary, errors, safe output, determinism."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import main
from config import PlatformConfig
from tests.conftest import LOCAL_NODE, PROJECT_DIR, REFERENCE_CONFIG


def run_main(
    *args: str, env: dict[str, str] | None = None, cwd: Path = PROJECT_DIR
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "main.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_help_explains_options_and_environment_variables() -> None:
    result = run_main("--help")
    assert result.returncode == 0
    for text in ("--config", "--env", "--out", "PLATFORM_CONFIG", "PLATFORM_ENVIRONMENTS", "dev, stg, prod"):
        assert text in " ".join(result.stdout.split())


def test_options_fall_back_to_environment_variables() -> None:
    environ = {"PLATFORM_CONFIG": "other.toml", "PLATFORM_ENVIRONMENTS": "prod, dev", "CDKTF_OUTDIR": "/x/out"}
    args = main.parse_args([], environ)
    assert (args.config, args.environments, args.out) == ("other.toml", ["prod", "dev"], "/x/out")
    args = main.parse_args(["--config", "a.toml", "--env", "stg", "--out", "o"], environ)
    assert (args.config, args.environments, args.out) == ("a.toml", ["stg"], "o")
    args = main.parse_args([], {})
    assert (args.config, args.environments, args.out) == ("environments.toml", None, "cdktf.out")


def test_environments_are_synthesized_in_promotion_order(reference_config: PlatformConfig) -> None:
    assert main.select_environments(reference_config, ["prod", "dev"]) == ["dev", "prod"]
    assert main.select_environments(reference_config, None) == ["dev", "stg", "prod"]


def test_run_prints_one_line_per_stack_and_the_next_command(tmp_path: Path) -> None:
    result = run_main("--env", "dev", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Synthesized 2 stacks from environments.toml")
    assert lines[1].split()[:3] == ["bootstrap", "10", "resources"]
    assert lines[2].split()[0] == "dev" and lines[2].split()[2] == "resources"
    assert lines[2].endswith(os.path.relpath(tmp_path / "out" / "stacks" / "dev"))
    assert lines[-1].startswith("Next: ")
    assert "end-of-life" not in result.stdout + result.stderr  # the pinned Node 22 runs jsii
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == ["bootstrap", "dev"]


@pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")
def test_bad_config_exits_nonzero_without_traceback_and_keeps_previous_output(tmp_path: Path) -> None:
    previous = tmp_path / "out"
    (previous / "stacks" / "dev").mkdir(parents=True)
    (previous / "stacks" / "dev" / "cdk.tf.json").write_text("previous good output")
    broken = tmp_path / "broken.toml"
    broken.write_text(REFERENCE_CONFIG.read_text().replace('nat = "per_az"', 'nat = "per-az"'))
    result = run_main("--config", str(broken), "--out", str(previous))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{broken} [prod] environments.prod.network.nat: Input should be 'none', 'single' or 'per_az'" in (
        result.stderr
    )
    assert (previous / "stacks" / "dev" / "cdk.tf.json").read_text() == "previous good output"


def test_missing_config_file_and_undeclared_environment(tmp_path: Path) -> None:
    result = run_main("--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "error: cannot read config" in result.stderr
    only_dev = tmp_path / "dev.toml"
    text = REFERENCE_CONFIG.read_text()
    only_dev.write_text(text[: text.index("[environments.stg.network]")])
    result = run_main("--config", str(only_dev), "--env", "prod", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "declares no environment prod; declared: dev" in result.stderr
    result = run_main("--env", "qa")
    assert result.returncode == 2 and "invalid choice: 'qa'" in result.stderr


def test_failed_synthesis_leaves_previous_output_untouched(
    tmp_path: Path, reference_config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = tmp_path / "cdktf.out"
    previous.mkdir()
    (previous / "manifest.json").write_text("previous")

    def explode(*_: object) -> None:
        raise RuntimeError("synth failed half way")

    import stacks.app

    monkeypatch.setattr(stacks.app, "build_app", explode)
    with pytest.raises(RuntimeError, match="half way"):
        main.synthesize(reference_config, ["dev"], previous)
    assert (previous / "manifest.json").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]  # no staging folder left behind


def test_two_synths_are_byte_identical(tmp_path: Path, reference_config: PlatformConfig, synthesized: Path) -> None:
    second = tmp_path / "cdktf.out"
    shutil.copytree(synthesized, tmp_path / "first")
    main.synthesize(reference_config, reference_config.environment_names, second)
    comparison = filecmp.dircmp(tmp_path / "first", second)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    for stack in ("bootstrap", "dev", "stg", "prod"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (tmp_path / "first" / relative).read_bytes() == (second / relative).read_bytes()


def test_cdktf_cli_synth_matches_main(tmp_path: Path, synthesized: Path) -> None:
    cdktf = PROJECT_DIR / "node_modules" / ".bin" / "cdktf"
    if not cdktf.exists():
        pytest.fail("node_modules is missing: run `make install`")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "PATH": f"{cdktf.parent}{os.pathsep}{os.environ['PATH']}"}
    output = tmp_path / "cli.out"
    result = subprocess.run(
        [str(cdktf), "synth", "--output", str(output)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in ("bootstrap", "dev", "stg", "prod"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (output / relative).read_bytes() == (synthesized / relative).read_bytes(), stack
