"""scripts/benchmark.py: what it measures (children included), the naive baseline's environment, the ratio."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from scripts.benchmark import Run, measure, naive_environment, report, summarize
from tools.jsii_env import (
    BINARY_VERSION_PRELOAD,
    CREATION_STACKS_PRELOAD,
    LAZY_PROVIDER_PRELOAD,
    SILENCE_DEP0044,
    jsii_node_environment,
    require_option,
)

# A parent that stays small and starts a child holding ~160 MiB for half a second.
PARENT = textwrap.dedent("""
    import subprocess, sys
    child = "import time; block = b'x' * (160 * 2**20); time.sleep(0.5)"
    subprocess.run([sys.executable, "-c", child], check=True)
""")


def test_peak_memory_includes_the_child_processes() -> None:
    run = measure([sys.executable, "-c", PARENT], env=os.environ, interval=0.02)
    assert run.largest_process_mib >= 160
    assert run.tree_mib >= 160
    assert run.seconds >= 0.5


def test_a_failing_command_fails_the_benchmark() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        measure([sys.executable, "-c", "raise SystemExit(3)"], env=os.environ)


def test_the_naive_import_runs_without_the_lazy_preload() -> None:
    lazy = {"NODE_OPTIONS": "--trace-uncaught", **jsii_node_environment({"NODE_OPTIONS": "--trace-uncaught"})}
    assert require_option(LAZY_PROVIDER_PRELOAD) in lazy["NODE_OPTIONS"]
    naive = naive_environment(lazy)
    assert naive["NODE_OPTIONS"] == (
        f"--trace-uncaught {SILENCE_DEP0044} {require_option(BINARY_VERSION_PRELOAD)} "
        f"{require_option(CREATION_STACKS_PRELOAD)}"
    )
    assert naive.get("JSII_NODE") == lazy.get("JSII_NODE")


def test_ratio_is_each_median_over_the_naive_median() -> None:
    summaries = {
        "naive": summarize("naive", [Run(10.0, 600, 1100), Run(12.0, 610, 1200), Run(30.0, 605, 1150)]),
        "all": summarize("all", [Run(2.0, 190, 300), Run(2.4, 200, 310), Run(9.0, 195, 320)]),
    }
    assert (summaries["all"].median, summaries["all"].low, summaries["all"].high) == (2.4, 2.0, 9.0)
    lines = report(summaries, 3, ("1.00 1.00 1.00", "1.50 1.20 1.00"))
    assert lines[0].startswith("3 cold runs of each after one warm-up, interleaved;")
    assert "load average before 1.00 1.00 1.00, after 1.50 1.20 1.00" in lines[0]
    assert lines[2].split() == ["naive", "12.00s", "10.00s", "30.00s", "1.00", "610", "MiB", "1200", "MiB"]
    assert lines[3].split() == ["all", "2.40s", "2.00s", "9.00s", "0.20", "200", "MiB", "320", "MiB"]
