"""Benchmark cold synths of a config against the naive provider import, side by side in one run.

Three commands, each in a fresh process (nothing imported or cached in-process), after one uncounted warm-up run
of each, then interleaved run by run so that load from other processes hits all of them alike:

- naive: `python -c "import cdktf_cdktf_provider_aws"`, the provider package as published (its `__init__` imports
  every resource binding and its jsii kernel loads every resource's JavaScript);
- dev: `python main.py --env dev`;
- all: `python main.py` for every environment of the config.

It prints the median (min, max) wall time of each, the ratio of each synth's median to the naive import's, the peak
RSS of the largest process of a run (Python or one of its Node kernel processes: children included, via wait4) and
the peak of the whole process tree (sampled from /proc), plus the machine's load and the resources per stack.
Usage: `.venv/bin/python scripts/benchmark.py [--runs N] [--config FILE]`, or `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from main import resource_counts  # noqa: E402  (one definition of what the summary line counts)
from tools.jsii_env import LAZY_PROVIDER_PRELOAD, jsii_node_environment, require_option  # noqa: E402

NAIVE_IMPORT = "import cdktf_cdktf_provider_aws"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Run:
    seconds: float
    largest_process_mib: float  # ru_maxrss of the process, which includes its waited-for descendants
    tree_mib: float  # sampled peak of the summed RSS of the process and its descendants (0 where /proc is missing)


@dataclass(frozen=True)
class Summary:
    name: str
    median: float
    low: float
    high: float
    largest_process_mib: float
    tree_mib: float


def descendants(pid: int) -> list[int]:
    """The process and all its descendants, from /proc/<pid>/task/<tid>/children."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def tree_rss_mib(pid: int) -> float:
    total = 0
    for process in descendants(pid):
        try:
            total += int(Path(f"/proc/{process}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * PAGE_SIZE / 2**20


def measure(command: Sequence[str], *, env: Mapping[str, str], cwd: Path = PROJECT_DIR, interval: float = 0.05) -> Run:
    """Run a command to completion; wall seconds, largest process's peak RSS, sampled peak of the whole tree."""
    started = time.perf_counter()
    process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL)
    peak_tree = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            peak_tree = max(peak_tree, tree_rss_mib(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc").is_dir():
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, list(command))
    return Run(elapsed, usage.ru_maxrss / 1024, peak_tree)


def summarize(name: str, runs: Sequence[Run]) -> Summary:
    seconds = [run.seconds for run in runs]
    return Summary(
        name,
        statistics.median(seconds),
        min(seconds),
        max(seconds),
        max(run.largest_process_mib for run in runs),
        max(run.tree_mib for run in runs),
    )


def naive_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for the naive import: the project's Node, but the provider's JavaScript loaded eagerly."""
    options = environ.get("NODE_OPTIONS", "").replace(require_option(LAZY_PROVIDER_PRELOAD), "")
    stripped = {**environ, "NODE_OPTIONS": " ".join(options.split())}
    return {**stripped, **jsii_node_environment(stripped, lazy_provider=False)}


def report(summaries: Mapping[str, Summary], runs: int, loads: tuple[str, str]) -> list[str]:
    naive = summaries["naive"]
    lines = [
        f"{runs} cold runs of each after one warm-up, interleaved; {os.cpu_count()} CPUs; "
        f"load average before {loads[0]}, after {loads[1]}",
        f"{'':<8} {'median':>8} {'min':>8} {'max':>8} {'ratio':>6} {'largest process':>16} {'process tree':>13}",
    ]
    for summary in summaries.values():
        ratio = summary.median / naive.median
        lines.append(
            f"{summary.name:<8} {summary.median:>7.2f}s {summary.low:>7.2f}s {summary.high:>7.2f}s {ratio:>6.2f} "
            f"{summary.largest_process_mib:>12.0f} MiB {summary.tree_mib:>9.0f} MiB"
        )
    lines.append(
        f"ratio = median / median of the naive import ({NAIVE_IMPORT!r}: every binding and, in its jsii "
        f"kernel, every resource's JavaScript)"
    )
    return lines


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", type=Path, default=PROJECT_DIR / "environments.toml")
    args = parser.parse_args(argv)
    config = args.config.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        outdir = Path(scratch) / "cdktf.out"
        synth = [sys.executable, "main.py", "--config", str(config), "--out", str(outdir)]
        commands = {
            "naive": ([sys.executable, "-c", NAIVE_IMPORT], naive_environment(os.environ)),
            "dev": ([*synth, "--env", "dev"], dict(os.environ)),
            "all": (synth, dict(os.environ)),  # last: the output left behind is every environment's
        }
        load_before = loadavg()
        for command, env in commands.values():
            measure(command, env=env)
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, env) in commands.items():
                runs[name].append(measure(command, env=env))
        load_after = loadavg()
        counts = resource_counts(outdir)
    summaries = {name: summarize(name, samples) for name, samples in runs.items()}
    print(f"config: {args.config}")
    print("\n".join(report(summaries, args.runs, (load_before, load_after))))
    for name, count in counts:
        print(f"  {name:<16} {count:>4} resources")
    print(f"  {'total':<16} {sum(count for _, count in counts):>4} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
