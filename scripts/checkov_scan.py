"""Scan synthesized stacks with Checkov and compare the findings with checkov-baseline.toml.

`.venv/bin/python scripts/checkov_scan.py [--out cdktf.out]` prints passed / failed / baselined per stack and
exits 1 on any finding the baseline does not accept. tests/test_checkov.py runs the same scan on every synth.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHECKOV = PROJECT_DIR / ".venv-tools" / "bin" / "checkov"
BASELINE = PROJECT_DIR / "checkov-baseline.toml"

Finding = tuple[str, str]
"""(check id, '<terraform type> <construct path without the stack name>')."""


@dataclass
class StackResult:
    """Checkov's verdicts on one stack."""

    passed: int = 0
    failed: set[Finding] = field(default_factory=set)


@dataclass
class ScanReport:
    """One Checkov run over several stacks."""

    stacks: dict[str, StackResult]
    summary: dict[str, Any]
    stderr: str


def scannable_copy(stack_dir: Path, target: Path) -> dict[str, str]:
    """Copy a stack for Checkov; return Checkov's resource name -> '<type> <construct path>'.

    Checkov 3.3.30's terraform_json parser crashes on the string `terraform.required_version` ("this method
    receives only dicts") and then reports zero checks with exit 0. The `terraform` block holds only the
    backend and version pins, which no Checkov resource check reads, so the scanned copy leaves it out.
    """
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    document.pop("terraform", None)
    target.mkdir(parents=True)
    (target / "cdk.tf.json").write_text(json.dumps(document, indent=2, sort_keys=True))
    names = {}
    for block in ("resource", "data"):
        for resource_type, items in document.get(block, {}).items():
            for logical_id, body in items.items():
                # cdktf's cross-stack `terraform_remote_state` readers carry no construct metadata
                metadata = body.get("//", {}).get("metadata", {"path": f"/{logical_id}"})
                path = metadata["path"].split("/", 1)[1]
                # single-resource checks name "resource.<id>"/"data.<id>", graph checks "<type>.<id>"
                names[f"{block}.{logical_id}"] = names[f"{resource_type}.{logical_id}"] = f"{resource_type} {path}"
    return names


def scan(outdir: Path, scratch: Path) -> ScanReport:
    """Run Checkov once over every stack of a synthesized output folder."""
    if not CHECKOV.exists():
        raise FileNotFoundError(f"{CHECKOV} is missing: run `make install`")
    manifest = json.loads((outdir / "manifest.json").read_text())
    names = {stack: scannable_copy(outdir / "stacks" / stack, scratch / stack) for stack in sorted(manifest["stacks"])}
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(scratch),
            "--framework",
            "terraform_json",
            "-o",
            "json",
            "--skip-download",
            "--compact",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr[-3000:]}")
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    if isinstance(report, list):
        (report,) = [entry for entry in report if entry["check_type"] == "terraform_json"]
    stacks = {stack: StackResult() for stack in names}
    results = report.get("results", {})
    for check in results.get("passed_checks", []):
        stacks[Path(check["file_abs_path"]).parent.name].passed += 1
    for check in results.get("failed_checks", []):
        stack = Path(check["file_abs_path"]).parent.name
        stacks[stack].failed.add((check["check_id"], names[stack][check["resource"]]))
    return ScanReport(stacks=stacks, summary=report.get("summary", {}), stderr=result.stderr)


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding: check id, resource pattern, and the examples it belongs to (none: the reference)."""

    check: str
    resource: str
    examples: tuple[str, ...] = ()
    """examples/<name>/environments.toml configs whose settings raise it; the reference config does not."""


def baseline_entries(path: Path = BASELINE) -> list[BaselineEntry]:
    """Every baseline entry; fails on an entry without a reason."""
    entries = tomllib.loads(path.read_text())["accepted"]
    missing = [entry["check"] for entry in entries if not entry.get("reason", "").strip()]
    if missing:
        raise ValueError(f"baseline entries without a reason: {missing}")
    return [BaselineEntry(entry["check"], entry["resource"], tuple(entry.get("examples", ()))) for entry in entries]


def load_baseline(path: Path = BASELINE) -> list[Finding]:
    """(check id, resource pattern) pairs; the pattern may use shell wildcards (`compute/*_logs`)."""
    return [(entry.check, entry.resource) for entry in baseline_entries(path)]


def accepted(finding: Finding, entries: list[Finding]) -> bool:
    """Whether a baseline entry accepts the finding."""
    return any(finding[0] == check and fnmatch.fnmatchcase(finding[1], pattern) for check, pattern in entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "cdktf.out")
    args = parser.parse_args()
    entries = load_baseline()
    with tempfile.TemporaryDirectory() as scratch:
        report = scan(args.out, Path(scratch))
    print(
        f"checkov {report.summary.get('checkov_version')}: parsing errors {report.summary.get('parsing_errors')}, "
        f"baseline entries {len(entries)}"
    )
    unexpected = 0
    for stack, result in report.stacks.items():
        baselined = sum(accepted(finding, entries) for finding in result.failed)
        unexpected += len(result.failed) - baselined
        print(f"  {stack:<16} passed {result.passed:>4}  failed {len(result.failed):>3}  baselined {baselined:>3}")
        for finding in sorted(f for f in result.failed if not accepted(f, entries)):
            print(f"    not baselined: {finding[0]} {finding[1]}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
