"""stacks/parallel.py: two processes write exactly what one writes, and a failing second process fails the synth."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import main
import stacks.parallel
from config import PlatformConfig
from stacks.parallel import Job, Worker, WorkerError, split_environments, stable_json
from tests.conftest import PROJECT_DIR

LAYERED = PROJECT_DIR / "examples" / "bookmark-manager" / "environments.toml"


@pytest.mark.parametrize(
    ("environments", "split"),
    [
        ((), ((), ())),
        (("dev",), (("dev",), ())),
        (("dev", "prod"), (("dev",), ("prod",))),
        (("dev", "stg", "prod"), (("dev", "stg"), ("prod",))),
        (("a", "b", "c", "d"), (("a", "b"), ("c", "d"))),
    ],
)
def test_the_second_process_takes_the_later_half(
    environments: tuple[str, ...], split: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    assert split_environments(environments) == split


def test_manifests_are_written_in_cdktf_s_own_format(
    synthesized: Path, synthesized_file: Callable[[Path], Path]
) -> None:
    """Both have empty lists; the layered one has stacks with dependencies."""
    for outdir in (synthesized, synthesized_file(LAYERED)):
        written = (outdir / "manifest.json").read_text()
        assert stable_json(json.loads(written)) == written
    layered = json.loads((synthesized_file(LAYERED) / "manifest.json").read_text())
    assert any(stack["dependencies"] for stack in layered["stacks"].values())


def assert_same_output(one: Path, two: Path) -> None:
    files = sorted(path.relative_to(one) for path in one.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(two) for path in two.rglob("*") if path.is_file())
    for relative in files:
        assert (one / relative).read_bytes() == (two / relative).read_bytes(), relative


def test_two_processes_write_what_one_writes(
    tmp_path: Path, synthesized: Path, reference_config: PlatformConfig
) -> None:
    out = tmp_path / "cdktf.out"
    written = main.synthesize(reference_config, reference_config.environment_names, out, processes=2)
    assert [stack.name for stack in written] == ["bootstrap", "dev", "stg", "prod"]
    assert_same_output(synthesized, out)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cdktf.out"]  # no worker folder left behind


def test_two_processes_write_what_one_writes_for_layered_states(
    tmp_path: Path, config_with: Callable[[dict[str, Any]], PlatformConfig]
) -> None:
    """Stacks of one environment read each other's state; each environment stays whole in one process."""
    layered = {"state": "per_layer"}
    config = config_with({"environments": {"dev": layered, "stg": layered, "prod": layered}})
    one, two = tmp_path / "one", tmp_path / "two"
    main.synthesize(config, config.environment_names, one)
    main.synthesize(config, config.environment_names, two, processes=2)
    manifest = json.loads((two / "manifest.json").read_text())
    assert any(name.startswith("prod-") and stack["dependencies"] for name, stack in manifest["stacks"].items())
    assert_same_output(one, two)


def test_a_failing_second_process_fails_the_synth_and_keeps_the_old_output(
    tmp_path: Path, reference_config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "dev").mkdir(parents=True)
    (out / "manifest.json").write_text('{"version": "0.21.0", "stacks": {}}')
    (out / "stacks" / "dev" / "cdk.tf.json").write_text("previous good output")
    monkeypatch.setattr(stacks.parallel, "WORKER", "import sys; print('worker broke', file=sys.stderr); sys.exit(3)")
    with pytest.raises(WorkerError, match=r"synthesizing prod in a second process failed \(exit 3\):\nworker broke"):
        main.synthesize(reference_config, ["dev", "prod"], out, processes=2)
    assert (out / "stacks" / "dev" / "cdk.tf.json").read_text() == "previous good output"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cdktf.out"]


def test_the_second_process_reports_its_own_error(tmp_path: Path, reference_config: PlatformConfig) -> None:
    """The real worker, given a folder it cannot write: its error reaches the message."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    worker = Worker(Job(reference_config, ("prod",), str(blocker / "out"), str(tmp_path), False))
    try:
        with pytest.raises(WorkerError, match=r"(?s)synthesizing prod in a second process failed.*Error"):
            worker.join()
    finally:
        worker.stop()


def test_stop_kills_a_running_second_process(
    tmp_path: Path, reference_config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stacks.parallel, "WORKER", "import time; time.sleep(60)")
    worker = Worker(Job(reference_config, ("prod",), str(tmp_path), str(tmp_path), False))
    process = worker._process
    assert process.poll() is None
    worker.stop()
    assert process.returncode == -9  # killed, not waited out


@pytest.mark.parametrize(("cpus", "processes"), [(1, 1), (2, 2), (8, 2), (None, 1)])
def test_the_command_line_uses_a_second_process_when_there_is_a_second_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpus: int | None, processes: int
) -> None:
    seen: list[int] = []

    def fake_synthesize(*_args: object, processes: int, **_kwargs: object) -> list[main.StackSummary]:
        seen.append(processes)
        return [main.StackSummary("dev", 1, tmp_path, ())]

    monkeypatch.setattr(main, "synthesize", fake_synthesize)
    monkeypatch.setattr(main.os, "cpu_count", lambda: cpus)
    assert main.main(["--out", str(tmp_path / "out")], {}) == 0
    assert seen == [processes]
