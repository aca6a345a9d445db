"""Benchmark a cold synth of the reference config: wall time, peak memory and resources per stack.

Runs `python main.py` in a fresh process (nothing imported, nothing cached in-process) a few times into a
temporary output folder and prints the numbers. Usage: `.venv/bin/python scripts/benchmark.py [--runs N]
[--config FILE]`, or `make bench`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from main import resource_counts  # noqa: E402  (one definition of what the summary line counts)


def run_once(config: Path, outdir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, largest process of the run: Python or the jsii Node kernel)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "main.py", "--config", str(config), "--out", str(outdir)],
        cwd=PROJECT_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--config", type=Path, default=PROJECT_DIR / "environments.toml")
    args = parser.parse_args()
    times = []
    peak = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        outdir = Path(scratch) / "cdktf.out"
        for _ in range(args.runs):
            elapsed, rss = run_once(args.config.resolve(), outdir)
            times.append(elapsed)
            peak = max(peak, rss)
        counts = resource_counts(outdir)
    print(f"config: {args.config}")
    print(
        f"cold synth wall time over {args.runs} runs: min {min(times):.2f} s, median "
        f"{statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    print(f"peak RSS of the largest process: {peak:.0f} MiB")
    for name, count in counts:
        print(f"  {name:<16} {count:>4} resources")
    print(f"  {'total':<16} {sum(count for _, count in counts):>4} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
