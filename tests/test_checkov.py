"""Checkov scan of every synthesized stack: no parse errors, real checks ran, only baselined failures."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_DIR, stack_names

CHECKOV = PROJECT_DIR / ".venv-tools" / "bin" / "checkov"
BASELINE = PROJECT_DIR / "checkov-baseline.toml"


def scannable_copy(stack_dir: Path, target: Path) -> dict[str, str]:
    """Copy a stack for Checkov; return logical id -> '<type> <construct path>' for every resource and data source.

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
                path = body["//"]["metadata"]["path"].split("/", 1)[1]
                # single-resource checks name "resource.<id>"/"data.<id>", graph checks "<type>.<id>"
                names[f"{block}.{logical_id}"] = names[f"{resource_type}.{logical_id}"] = f"{resource_type} {path}"
    return names


@pytest.fixture(scope="module")
def checkov_report(synthesized: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One Checkov run over all stacks; failures keyed by stack."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make install`")
    scan_root = tmp_path_factory.mktemp("checkov")
    names = {
        stack: scannable_copy(synthesized / "stacks" / stack, scan_root / stack) for stack in stack_names(synthesized)
    }
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(scan_root),
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
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    if isinstance(report, list):
        (report,) = [entry for entry in report if entry["check_type"] == "terraform_json"]
    per_stack: dict[str, Any] = {stack: {"failed": set(), "passed": 0} for stack in names}
    for outcome in ("failed_checks", "passed_checks"):
        for check in report.get("results", {}).get(outcome, []):
            stack = Path(check["file_abs_path"]).parent.name
            if outcome == "passed_checks":
                per_stack[stack]["passed"] += 1
            else:
                per_stack[stack]["failed"].add((check["check_id"], names[stack][check["resource"]]))
    shutil.rmtree(scan_root, ignore_errors=True)
    return {"summary": report.get("summary", {}), "stacks": per_stack, "stderr": result.stderr}


def baseline() -> list[tuple[str, str]]:
    """(check id, resource pattern) pairs; the pattern may use shell wildcards (`compute/*_logs`)."""
    entries = tomllib.loads(BASELINE.read_text())["accepted"]
    assert all(entry["reason"].strip() for entry in entries), "every baseline entry needs a reason"
    return [(entry["check"], entry["resource"]) for entry in entries]


def accepted(finding: tuple[str, str], entries: list[tuple[str, str]]) -> bool:
    return any(finding[0] == check and fnmatch.fnmatchcase(finding[1], pattern) for check, pattern in entries)


def test_checkov_parsed_every_stack(checkov_report: dict[str, Any]) -> None:
    summary = checkov_report["summary"]
    assert summary.get("parsing_errors") == 0, checkov_report["stderr"][-3000:]
    for stack, outcome in checkov_report["stacks"].items():
        assert outcome["passed"] > 0, f"Checkov ran no passing check on {stack}: it probably failed to parse it"


def test_only_baselined_findings(checkov_report: dict[str, Any]) -> None:
    entries = baseline()
    unexpected = {
        stack: sorted(f for f in outcome["failed"] if not accepted(f, entries))
        for stack, outcome in checkov_report["stacks"].items()
    }
    unexpected = {stack: findings for stack, findings in unexpected.items() if findings}
    assert unexpected == {}, f"new Checkov findings (fix them or baseline them with a reason): {unexpected}"


def test_baseline_has_no_stale_entries(checkov_report: dict[str, Any]) -> None:
    seen = set().union(*(outcome["failed"] for outcome in checkov_report["stacks"].values()))
    stale = [entry for entry in baseline() if not any(accepted(finding, [entry]) for finding in seen)]
    assert stale == []
