"""Checkov scan of every synthesized stack: no parse errors, real checks ran, only baselined failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.checkov_scan import ScanReport, accepted, baseline_entries, load_baseline, scan
from stacks.order import STATE_NAMES


@pytest.fixture(scope="module")
def checkov_report(synthesized: Path, tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    """One Checkov run over all stacks of the reference config."""
    return scan(synthesized, tmp_path_factory.mktemp("checkov"))


def test_checkov_parsed_every_stack(checkov_report: ScanReport) -> None:
    assert checkov_report.summary.get("parsing_errors") == 0, checkov_report.stderr[-3000:]
    assert sorted(checkov_report.stacks) == ["bootstrap", "dev", "prod", "stg"]
    for stack, result in checkov_report.stacks.items():
        assert result.passed > 0, f"Checkov ran no passing check on {stack}: it probably failed to parse it"


def test_only_baselined_findings(checkov_report: ScanReport) -> None:
    """Against the reference config's entries: those naming examples/ configs accept nothing here."""
    entries = [(entry.check, entry.resource) for entry in baseline_entries() if not entry.examples]
    unexpected = {
        stack: sorted(f for f in result.failed if not accepted(f, entries))
        for stack, result in checkov_report.stacks.items()
    }
    unexpected = {stack: findings for stack, findings in unexpected.items() if findings}
    assert unexpected == {}, f"new Checkov findings (fix them or baseline them with a reason): {unexpected}"


def test_baseline_has_no_stale_entries(checkov_report: ScanReport) -> None:
    """Entries of the reference config (tests/test_examples.py checks those that name examples)."""
    seen = set().union(*(result.failed for result in checkov_report.stacks.values()))
    reference = [(entry.check, entry.resource) for entry in baseline_entries() if not entry.examples]
    stale = [entry for entry in reference if not any(accepted(finding, [entry]) for finding in seen)]
    assert stale == []


def test_baseline_entries_need_a_reason(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.toml"
    baseline.write_text('[[accepted]]\ncheck = "CKV_AWS_1"\nresource = "aws_s3_bucket x"\nreason = " "\n')
    with pytest.raises(ValueError, match="without a reason"):
        load_baseline(baseline)


def test_layered_stacks_have_the_same_findings(
    checkov_report: ScanReport, layered_synthesized: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """prod split into one stack per layer: Checkov parses each, and finds exactly what it finds in prod whole."""
    layered = scan(layered_synthesized, tmp_path_factory.mktemp("checkov-layered"))
    assert layered.summary.get("parsing_errors") == 0, layered.stderr[-3000:]
    layers = {name: result for name, result in layered.stacks.items() if name.startswith("prod-")}
    assert len(layers) == len(STATE_NAMES)  # prod has every layer
    assert all(result.passed > 0 for result in layers.values())
    found = set().union(*(result.failed for result in layers.values()))
    # CKV2_AWS_5 (a security group is attached to something) is a graph check within one file: the groups live in
    # prod-security and are attached in prod-data, prod-load-balancing and prod-compute, out of its sight.
    unattached = {finding for finding in found - checkov_report.stacks["prod"].failed if finding[0] == "CKV2_AWS_5"}
    assert unattached and all(resource.startswith("aws_security_group security_groups/") for _, resource in unattached)
    assert found - unattached == checkov_report.stacks["prod"].failed
