"""`python main.py diagram`: every component of the stacks in both pictures, toggles, links, layers, safe writing."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import main
from config import build_config
from tests.conftest import PROJECT_DIR, Json
from tools.diagram import build_diagram, merge_stacks
from tools.diagram_command import environment_documents, render_files
from tools.diagram_render import MARKER, render_mermaid, render_svg

SVG = "{http://www.w3.org/2000/svg}"
ENVIRONMENTS = ("dev", "stg", "prod")

DRAWN = (
    "aws_ecs_service",
    "aws_rds_cluster",
    "aws_db_instance",
    "aws_elasticache_replication_group",
    "aws_lb",
    "aws_nat_gateway",
    "aws_cloudfront_distribution",
    "aws_wafv2_web_acl",
    "aws_sqs_queue",
    "aws_s3_bucket",
    "aws_dynamodb_table",
    "aws_cognito_user_pool",
    "aws_apigatewayv2_api",
    "aws_lambda_function",
    "aws_instance",
    "aws_batch_compute_environment",
    "aws_batch_job_queue",
)
"""Every service, data store and edge component: each resource of these types must have a box."""


def expected_id(resource_type: str, name: str) -> str:
    return f"{resource_type.removeprefix('aws_')}__{name}"


def stack(outdir: Path, name: str) -> Json:
    document: Json = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())
    return document


def svg_ids(text: str) -> set[str]:
    root = ET.fromstring(text)
    return {element.attrib["id"] for element in root.iter(f"{SVG}g") if "id" in element.attrib}


def svg_edges(text: str) -> dict[tuple[str, str], str]:
    """(source, target) -> label text of every arrow in the SVG."""
    edges = {}
    for group in ET.fromstring(text).iter(f"{SVG}g"):
        if "data-source" in group.attrib:
            label = "".join(text.text or "" for text in group.iter(f"{SVG}text"))
            edges[(group.attrib["data-source"], group.attrib["data-target"])] = label
    return edges


def mermaid_ids(text: str) -> set[str]:
    return {line.strip().split("[", 1)[0] for line in text.splitlines() if line.strip().endswith('"]')}


@pytest.fixture(scope="module")
def pictures(synthesized: Path) -> dict[str, dict[str, str]]:
    """The reference config's pictures per environment: file name -> text."""
    documents = environment_documents(synthesized, ENVIRONMENTS)
    return {environment: render_files(environment, documents[environment]) for environment in ENVIRONMENTS}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_drawn_resource_has_a_box_in_both_pictures(
    synthesized: Path, pictures: dict[str, dict[str, str]], environment: str
) -> None:
    document = stack(synthesized, environment)
    svg, mermaid = pictures[environment][f"{environment}.svg"], pictures[environment][f"{environment}.mmd"]
    boxes, nodes = svg_ids(svg), mermaid_ids(mermaid)
    expected = {
        expected_id(resource_type, name)
        for resource_type in DRAWN
        for name in document.get("resource", {}).get(resource_type, {})
    }
    assert expected <= boxes
    assert expected <= nodes
    for service in document["resource"]["aws_ecs_service"].values():  # by name too, as a person reads it
        assert f">{service['name']}<" in svg
        assert service["name"] in mermaid
    for queue in document["resource"].get("aws_sqs_queue", {}).values():
        assert f">{queue['name']}<" in svg


def test_prod_draws_each_kind_of_component(synthesized: Path) -> None:
    """The property above is not vacuous: prod has every kind the issue names."""
    resources = stack(synthesized, "prod")["resource"]
    for resource_type in (
        "aws_ecs_service",
        "aws_rds_cluster",
        "aws_elasticache_replication_group",
        "aws_lb",
        "aws_cloudfront_distribution",
        "aws_sqs_queue",
        "aws_s3_bucket",
    ):
        assert resources.get(resource_type), resource_type


def test_subnets_per_availability_zone_and_tier(synthesized: Path, pictures: dict[str, dict[str, str]]) -> None:
    subnets = stack(synthesized, "prod")["resource"]["aws_subnet"]
    svg, mermaid = pictures["prod"]["prod.svg"], pictures["prod"]["prod.mmd"]
    assert len(subnets) == 6
    for subnet in subnets.values():
        zone = subnet["availability_zone"][-1]
        assert f"AZ {zone} · {subnet['cidr_block']}" in svg
        assert f"{zone} {subnet['cidr_block']}" in mermaid
    for tier in ("public", "private", "database"):
        assert f"{tier} subnets" in svg


def test_cdn_toggle(synthesized: Path, pictures: dict[str, dict[str, str]]) -> None:
    """dev has no CDN: no CloudFront box and no origin arrows; prod's CDN is drawn with both origins."""
    assert "aws_cloudfront_distribution" not in stack(synthesized, "dev")["resource"]
    for name in ("dev.svg", "dev.mmd"):
        assert "CloudFront" not in pictures["dev"][name]
        assert "cloudfront_distribution__" not in pictures["dev"][name]
    prod = stack(synthesized, "prod")["resource"]
    distribution = expected_id("aws_cloudfront_distribution", next(iter(prod["aws_cloudfront_distribution"])))
    edges = svg_edges(pictures["prod"]["prod.svg"])
    targets = {target: label for (source, target), label in edges.items() if source == distribution}
    alb = expected_id("aws_lb", next(iter(prod["aws_lb"])))
    spa = next(name for name, bucket in prod["aws_s3_bucket"].items() if "spa" in bucket["bucket"])
    assert "/api/*" in targets[alb]
    assert "default" in targets[expected_id("aws_s3_bucket", spa)]


def test_redis_toggle(reference_document: Json, tmp_path: Path) -> None:
    """A config without Redis draws no ElastiCache box; the reference dev (with Redis) does."""
    document = copy.deepcopy(reference_document)
    for service in document["defaults"]["services"].values():
        for table in ("environment", "secrets"):
            for key in [key for key in service.get(table, {}) if key.startswith("REDIS_")]:
                del service[table][key]
    document["environments"]["dev"]["cache"] = {"enabled": False}
    for config, has_redis in ((build_config(document, "no-redis.toml"), False),
                              (build_config(copy.deepcopy(reference_document), "ref.toml"), True)):  # fmt: skip
        outdir = tmp_path / f"redis-{has_redis}" / "cdktf.out"
        main.synthesize(config, ["dev"], outdir)
        files = render_files("dev", environment_documents(outdir, ["dev"])["dev"])
        assert bool(stack(outdir, "dev")["resource"].get("aws_elasticache_replication_group")) is has_redis
        for name in ("dev.svg", "dev.mmd"):
            assert ("elasticache_replication_group__" in files[name]) is has_redis
            assert ("ElastiCache" in files[name]) is has_redis


def test_security_group_links(synthesized: Path, pictures: dict[str, dict[str, str]]) -> None:
    """Service -> database on the cluster's port where a group allows it, and no arrow where none does."""
    resources = stack(synthesized, "prod")["resource"]
    cluster_name, cluster = next(iter(resources["aws_rds_cluster"].items()))
    database = expected_id("aws_rds_cluster", cluster_name)
    service = {
        body["name"]: expected_id("aws_ecs_service", name) for name, body in resources["aws_ecs_service"].items()
    }
    edges = svg_edges(pictures["prod"]["prod.svg"])
    mermaid = pictures["prod"]["prod.mmd"]
    allowed = f"tcp {cluster['port']}"
    assert allowed in edges[(service["acme-prod-api"], database)]
    assert f'{service["acme-prod-api"]} -.->|"{allowed}"| {database}' in mermaid
    assert (service["acme-prod-web"], database) not in edges  # web's group is not allowed into the database
    web_to_database = [line for line in mermaid.splitlines() if line.split()[:1] == [service["acme-prod-web"]]]
    assert not [line for line in web_to_database if line.endswith(database)]
    internet = [label for (source, _), label in edges.items() if source == "internet"]
    assert internet == ["tcp 80"]  # prod's ALB takes HTTPS from CloudFront only


def test_listener_routes_to_services(synthesized: Path, pictures: dict[str, dict[str, str]]) -> None:
    resources = stack(synthesized, "prod")["resource"]
    alb = expected_id("aws_lb", next(iter(resources["aws_lb"])))
    service = {
        body["name"]: expected_id("aws_ecs_service", name) for name, body in resources["aws_ecs_service"].items()
    }
    edges = svg_edges(pictures["prod"]["prod.svg"])
    assert "443: /api/*" in edges[(alb, service["acme-prod-api"])]
    assert "443: /collab, /collab/*" in edges[(alb, service["acme-prod-realtime"])]
    assert (alb, service["acme-prod-worker"]) not in edges  # a worker has no target group


def test_svg_is_xml_with_a_view_box_holding_every_box(pictures: dict[str, dict[str, str]]) -> None:
    for environment in ENVIRONMENTS:
        root = ET.fromstring(pictures[environment][f"{environment}.svg"])
        assert root.tag == f"{SVG}svg"
        _, _, width, height = (int(value) for value in root.attrib["viewBox"].split())
        for rect in root.iter(f"{SVG}rect"):
            assert int(rect.attrib["x"]) + int(rect.attrib["width"]) <= width
            assert int(rect.attrib["y"]) + int(rect.attrib["height"]) <= height


def test_per_layer_gives_the_same_pictures(
    synthesized: Path, layered_synthesized: Path, pictures: dict[str, dict[str, str]]
) -> None:
    """prod kept in 19 states draws byte-identically to prod in one: cross-stack references are followed."""
    layered = environment_documents(layered_synthesized, ENVIRONMENTS)
    assert len(layered["prod"]) > 1
    assert render_files("prod", layered["prod"]) == pictures["prod"]
    joined = merge_stacks(layered["prod"])
    assert "terraform_remote_state" not in json.dumps(joined["resource"]["aws_ecs_service"])


def test_merge_follows_cross_stack_outputs() -> None:
    network = {
        "resource": {"aws_subnet": {"a": {"availability_zone": "eu-west-1a", "tags": {"Tier": "private"}}}},
        "output": {"cross-stack-output-aws_subneta": {"value": "${aws_subnet.a.id}"}},
    }
    compute = {
        "resource": {
            "aws_ecs_service": {
                "svc": {
                    "name": "svc",
                    "network_configuration": {
                        "subnets": [
                            "${data.terraform_remote_state.cross-stack-reference-input-x-network"
                            ".outputs.cross-stack-output-aws_subneta}"
                        ]
                    },
                }
            }
        }
    }
    diagram = build_diagram("x", merge_stacks({"x-network": network, "x-compute": compute}))
    assert diagram.node("ecs_service__svc").tier == "private"
    assert diagram.node("ecs_service__svc").azs == ("a",)
    unresolved = build_diagram("x", merge_stacks({"x-compute": compute}))  # the producer missing: not placed
    assert unresolved.node("ecs_service__svc").tier == "side"


def test_labels_are_escaped() -> None:
    awkward = 'a<b>&"c"|#d'
    document: dict[str, Any] = {
        "resource": {
            "aws_s3_bucket": {"b": {"bucket": "x", "tags": {"Name": awkward}}},
            "aws_sqs_queue": {"q": {"name": "q-${data.aws_caller_identity.c.account_id}"}},
        }
    }
    diagram = build_diagram("odd", document)
    svg, mermaid = render_svg(diagram), render_mermaid(diagram)
    texts = ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text")]
    assert awkward in texts
    assert "q-…" in texts  # a Terraform expression in a name is shortened, not drawn raw
    line = next(line for line in mermaid.splitlines() if line.strip().startswith("s3_bucket__b["))
    label = line.split('["', 1)[1].removesuffix('"]')
    assert label == "S3 bucket<br/>a#lt;b#gt;&#quot;c#quot;#124;#35;d"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.main(["diagram", *args], {})
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_command_writes_deterministic_files(
    synthesized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        code, out, err = run(["--synth", str(synthesized), "--out", str(folder)], capsys)
        assert (code, err) == (0, "")
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(f"{env}{suffix}" for env in ENVIRONMENTS for suffix in (".svg", ".mmd", ".md"))
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert MARKER in (first / name).read_text().splitlines()[0]
    assert "```mermaid\n%% " in (first / "prod.md").read_text()
    code, out, _ = run(["--synth", str(synthesized), "--out", str(first), "--check"], capsys)
    assert code == 0 and "match" in out
    (first / "stg.mmd").write_text((first / "stg.mmd").read_text() + "%% edited\n")
    code, _out, err = run(["--synth", str(synthesized), "--out", str(first), "--check"], capsys)
    assert code == 1 and "stg.mmd" in err and len(err.splitlines()) == 1


def test_command_synthesizes_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = PROJECT_DIR / "environments.toml"
    code, _out, err = run(["--config", str(config), "--env", "dev", "--out", str(tmp_path)], capsys)
    assert (code, err) == (0, "")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dev.md", "dev.mmd", "dev.svg"]
    assert "acme-dev-api" in (tmp_path / "dev.svg").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "qa"], "declares no environment qa; declared: dev, stg, prod"),
        (["--config", "missing.toml"], "cannot read config missing.toml"),
    ],
)
def test_bad_input_is_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(PROJECT_DIR / "environments.toml")]
    code, _out, err = run([*config, *args, "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert len(err.splitlines()) == 1 and message in err
    assert not (tmp_path / "out").exists()


def test_unknown_environment_of_a_synth_folder(
    synthesized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["--synth", str(synthesized), "--env", "qa", "--out", str(tmp_path)], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "declares no environment qa" in err


def test_unwritable_or_foreign_output(synthesized: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "below"):
        code, _, err = run(["--synth", str(synthesized), "--out", str(out)], capsys)
        assert code == 2 and len(err.splitlines()) == 1 and str(blocker) in err
    with pytest.MonkeyPatch.context() as patch:  # a folder this user may not write (root may write any)
        patch.setattr(os, "access", lambda *_: False)
        code, _, err = run(["--synth", str(synthesized), "--out", str(tmp_path / "locked")], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and f"{tmp_path} is not writable" in err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "prod.svg").write_text("<svg>a picture someone drew</svg>\n")
    code, _, err = run(["--synth", str(synthesized), "--out", str(mine)], capsys)
    assert code == 2 and len(err.splitlines()) == 1 and "prod.svg was not written by" in err
    assert (mine / "prod.svg").read_text() == "<svg>a picture someone drew</svg>\n"
    assert sorted(path.name for path in mine.iterdir()) == ["prod.svg"]


def test_committed_sample_is_current(pictures: dict[str, dict[str, str]]) -> None:
    """docs/diagrams/ (the README's picture) is what the command draws from environments.toml today."""
    for name, text in pictures["prod"].items():
        committed = (PROJECT_DIR / "docs" / "diagrams" / name).read_text(encoding="utf-8")
        assert committed == text, (
            f"docs/diagrams/{name} is stale: run `python main.py diagram --env prod --out docs/diagrams`"
        )


def test_main_loads_the_diagram_code_only_for_the_command() -> None:
    """`cdktf synth` runs main.py with no arguments: importing main must not import the diagram modules."""
    script = "import sys, main; print(sorted(m for m in sys.modules if m.startswith('tools.diagram')))"
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
