"""Synthesize the later environments of a run in a second process while this one synthesizes the rest.

A synth is a conversation between Python and the jsii kernel's Node process, one request at a time: one of the two
always waits for the other, so a synth keeps about one core busy. Environments do not refer to one another (each
has its own stacks and states), so a second process with its own kernel can synthesize some of them on the other
core: `main.py` for the reference config's three environments takes about the time of its largest two.

The split (`split_environments`): this process keeps the bootstrap stacks and the first half of the environments,
the second process takes the later half (usually the larger ones: prod). The second process gets the config
pickled on its stdin, writes a complete cdktf output (manifest.json, stacks/) into a folder of its own, and
`merge_output` moves its stacks into this process's output and writes the union of both manifests in the byte
format cdktf writes (json-stable-stringify, two spaces). tests/stacks/test_parallel.py proves the result is
byte-identical to a synth in one process, for the reference config and for a config with one state per layer.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from config import PlatformConfig

PROJECT_DIR = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
STACKS = "stacks"
WORKER = f"import sys; sys.path.insert(0, {str(PROJECT_DIR)!r}); from stacks.parallel import worker_main; worker_main()"


class WorkerError(RuntimeError):
    """The second process failed; the message carries the end of what it wrote to stderr."""


@dataclass(frozen=True)
class Job:
    """What the second process synthesizes, sent to it pickled on stdin."""

    config: PlatformConfig
    environments: tuple[str, ...]
    outdir: str
    project_dir: str
    type_checks: bool


def split_environments(environments: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(this process's environments, the second process's): the second takes the later half, rounded down."""
    keep = len(environments) - len(environments) // 2
    return tuple(environments[:keep]), tuple(environments[keep:])


def run_job(job: Job) -> None:
    """Synthesize the job's environments (no bootstrap stack) into its outdir, as one cdktf app."""
    import contextlib

    from modules.attribute_reads import cached_attribute_reads
    from modules.binding_checks import unchecked_bindings
    from stacks.app import build_app

    with cached_attribute_reads(), contextlib.nullcontext() if job.type_checks else unchecked_bindings():
        build_app(job.config, job.environments, job.outdir, job.project_dir, bootstrap=False).synth()


def worker_main() -> None:
    """Entry point of the second process: read the pickled job from stdin, synthesize it, exit 0 (or 1 with the
    traceback on stderr)."""
    job = pickle.load(sys.stdin.buffer)
    run_job(job)


class Worker:
    """The second process, started before this process begins its own synth and joined after it."""

    def __init__(self, job: Job) -> None:
        self.job = job
        # a file, not a pipe: a chatty worker never blocks; closed by stop()
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(pickle.dumps(job))
            self._process.stdin.close()
        except BrokenPipeError:
            pass  # the worker died at start; join() reports what it wrote

    def join(self) -> None:
        """Wait for the worker; raise WorkerError with its stderr's last lines if it failed."""
        code = self._process.wait()
        if code != 0:
            self._stderr.seek(0)
            lines = self._stderr.read().decode(errors="replace").strip().splitlines()
            raise WorkerError(
                f"synthesizing {', '.join(self.job.environments)} in a second process failed (exit {code}):\n"
                + "\n".join(lines[-20:])
            )

    def stop(self) -> None:
        """Kill the worker if it still runs (this process failed or was interrupted) and release its files."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


def stable_json(value: Any, level: int = 0, space: str = "  ") -> str:
    """`value` as json-stable-stringify writes it with `{space: 2}` (cdktf's manifest.json): keys sorted, an empty
    array or object still spread over two lines."""
    indent = "\n" + space * level
    if isinstance(value, dict):
        items = [
            f"{indent}{space}{json.dumps(key, ensure_ascii=False)}: {stable_json(value[key], level + 1)}"
            for key in sorted(value)
        ]
        return "{" + ",".join(items) + indent + "}"
    if isinstance(value, list):
        items = [f"{indent}{space}{stable_json(item, level + 1)}" for item in value]
        return "[" + ",".join(items) + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def merge_output(into: Path, worker_out: Path) -> None:
    """Move the worker's stack folders into `into` and write the union of both manifests there."""
    manifest = json.loads((into / MANIFEST).read_text())
    extra = json.loads((worker_out / MANIFEST).read_text())
    if extra["version"] != manifest["version"]:
        raise WorkerError(f"the second process wrote cdktf {extra['version']} output, this one {manifest['version']}")
    clash = sorted(set(manifest["stacks"]) & set(extra["stacks"]))
    if clash:
        raise WorkerError(f"both processes synthesized the stacks {', '.join(clash)}")
    for name in extra["stacks"]:
        (worker_out / STACKS / name).rename(into / STACKS / name)
    manifest["stacks"].update(extra["stacks"])
    (into / MANIFEST).write_text(stable_json(manifest))
    shutil.rmtree(worker_out, ignore_errors=True)
