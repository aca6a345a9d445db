"""`python main.py cost`: estimates checked against sums done by hand with the list prices written out here."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import main
from config import PlatformConfig, build_config
from config.cost import CostConfig
from tests.conftest import PROJECT_DIR, Json
from tools.cost import (
    SCHEMA,
    EnvironmentEstimate,
    count_value,
    estimate,
    estimate_environment,
    read_stacks,
    render_text,
)
from tools.prices import REGIONAL, region_prices

H = 730

TINY = """
[project]
name = "tiny"
region = "us-east-1"

[backend]
bucket = "tiny-terraform-state-use1"
lock_table = "tiny-terraform-locks"
region = "us-east-1"

[environments.dev.network]
cidr = "10.0.0.0/16"
azs = ["a", "b"]
nat = "per_az"
interface_endpoints = ["ecr.api", "ecr.dkr", "logs"]
flow_logs = { enabled = false }

[environments.dev.load_balancer]
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"

[environments.dev.services.app]
kind = "web"
port = 8080
cpu = 512
memory = 1024
desired_count = 2
routing = { default = true, health_check_path = "/" }
autoscaling = { min = 2, max = 6, cpu_target = 70 }
spot = { enabled = true, base = 1 }

[environments.dev.database]
enabled = true
engine = "postgres"
engine_version = "16.10"
instance_class = "db.t4g.micro"
allocated_storage = 20
max_allocated_storage = 100
multi_az = true

[environments.dev.cache]
enabled = true
node_type = "cache.t4g.small"
node_count = 2

[environments.dev.cost]
requests_millions = 2.0
data_out_gb = 50.0
alb_lcu = 2.0
nat_gb = 100.0
endpoint_gb = 20.0
log_gb = 3.0
storage_gb = 40.0
spot_discount = 0.6
"""
"""One environment in us-east-1: NAT per AZ, three interface endpoints, one web service on Spot with base 1, a
Multi-AZ RDS instance with storage autoscaling, two Redis nodes, the ALB's WAF, and usage assumptions of its own."""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(config file, synth output folder) of TINY."""
    folder = tmp_path_factory.mktemp("tiny")
    config_file = folder / "tiny.toml"
    config_file.write_text(TINY)
    config = _config(config_file)
    outdir = folder / "cdktf.out"
    main.synthesize(config, config.environment_names, outdir)
    yield config_file, outdir


def _config(path: Path) -> PlatformConfig:
    import tomllib

    return build_config(tomllib.loads(path.read_text()), str(path))


def _estimates(config_file: Path, outdir: Path) -> list[EnvironmentEstimate]:
    config = _config(config_file)
    names = list(config.environment_names)
    return estimate(read_stacks(outdir), names, {name: config.environment(name).cost for name in names})


def _lines(estimate: EnvironmentEstimate) -> dict[str, tuple[float, float]]:
    return {line.component: (line.baseline, line.peak) for line in estimate.lines}


def test_small_config_by_hand(tiny: tuple[Path, Path]) -> None:
    (dev,) = _estimates(*tiny)
    document = read_stacks(tiny[1])["dev"]
    retention = {group["retention_in_days"] for group in document["resource"]["aws_cloudwatch_log_group"].values()}
    assert retention == {30}  # so the logs kept are one month's volume
    task = 0.5 * 0.04048 + 1 * 0.004445  # 512 CPU units, 1024 MiB, us-east-1 x86 on-demand per hour
    spot = task * (1 - 0.6)
    # base 1 on FARGATE, the rest 1:3 FARGATE:FARGATE_SPOT -> 2 tasks: 1.25 + 0.75 Spot; 6 tasks: 2.25 + 3.75 Spot
    expected = {
        "NAT gateways": 2 * H * 0.045 + 100 * 0.045,
        "Interface VPC endpoints": 3 * 2 * H * 0.01 + 20 * 0.01,
        "Public IPv4 addresses": (2 + 2) * H * 0.005,  # two NAT EIPs, the ALB in two subnets
        "ALB tiny-dev-alb": H * 0.0225 + 2 * H * 0.008,
        "Fargate tiny-dev-app": (H * (1.25 * task + 0.75 * spot), H * (2.25 * task + 3.75 * spot)),
        "RDS tiny-dev-db": (2 * H * 0.016 + 2 * 20 * 0.115, 2 * H * 0.016 + 2 * 100 * 0.115),
        "Redis tiny-dev-redis": 2 * H * 0.032,
        "Data transfer out to the internet": 50 * 0.09,
        "WAF tiny-dev": 5 + 4 * 1 + 2 * 0.60,
        "CloudWatch Logs": 3 * 0.50 + 3 * 0.03,
        "KMS keys": 1.0,
        "Secrets Manager secrets": 0.40,
        "S3 storage": 40 * 0.023,
    }
    pairs = {key: value if isinstance(value, tuple) else (value, value) for key, value in expected.items()}
    assert _lines(dev) == pytest.approx(pairs)
    assert dev.baseline == pytest.approx(sum(low for low, _ in pairs.values()))
    assert dev.peak == pytest.approx(sum(high for _, high in pairs.values()))
    assert dev.spot_share(peak=False) == pytest.approx(0.75 / 2)
    assert dev.spot_share(peak=True) == pytest.approx(3.75 / 6)
    assert dev.region == "us-east-1"


def test_every_resource_is_accounted_for(synthesized: Path, reference_config: PlatformConfig) -> None:
    stacks = read_stacks(synthesized)
    for env in _estimates(PROJECT_DIR / "environments.toml", synthesized):
        total = sum(len(items) for items in stacks[env.name]["resource"].values())
        assert env.priced + env.free + sum(item.count for item in env.unpriced) == total, env.name
        assert not [item for item in env.unpriced if item.reason == "unknown to the price table"], env.unpriced


def test_unknown_and_unpriceable_resources_are_listed_never_dropped() -> None:
    document: Json = {
        "provider": {"aws": [{"region": "ap-northeast-1"}]},
        "resource": {
            "aws_memorydb_cluster": {"a": {}},
            "aws_instance": {"b": {"instance_type": "m5.24xlarge"}},
            "aws_sqs_queue": {"c": {}, "d": {}},
            "aws_iam_role": {"e": {}},
        },
    }
    env = estimate_environment("dev", {"dev": document}, CostConfig(), region_prices)
    listed = {(item.type, item.count, item.reason) for item in env.unpriced}
    assert listed == {
        ("aws_memorydb_cluster", 1, "unknown to the price table"),
        ("aws_instance", 1, "b: m5.24xlarge not in the price table"),
        ("aws_sqs_queue", 2, "usage-only: requests"),
    }
    assert (env.priced, env.free, env.lines) == (0, 1, ())
    text = render_text([env])
    assert "aws_memorydb_cluster x 1: unknown to the price table" in text


def test_log_storage_follows_each_groups_retention() -> None:
    groups = {"a": {"retention_in_days": 30}, "b": {"retention_in_days": 365}, "c": {}}  # c: never expires
    document: Json = {
        "provider": {"aws": [{"region": "ap-northeast-1"}]},
        "resource": {"aws_cloudwatch_log_group": groups},
    }
    env = estimate_environment("prod", {"prod": document}, CostConfig(log_gb=6), region_prices)
    kept = 6 * (1 + 365 / 30 + 365 / 30) / 3  # steady state, capped at a year
    assert _lines(env) == pytest.approx({"CloudWatch Logs": (6 * 0.76 + kept * 0.033,) * 2})


@pytest.mark.parametrize(
    ("value", "count"),
    [(2, 2), ("3", 3), ('${(aws_ssm_parameter.x.insecure_value == "no-image-yet") ? 0 : 10}', 10), ("${var.n}", None)],
)
def test_count_of_a_service_once_its_image_is_deployed(value: object, count: int | None) -> None:
    assert count_value(value) == count


# --- the toggles of the reference config ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(synthesized: Path) -> dict[str, EnvironmentEstimate]:
    return {env.name: env for env in _estimates(PROJECT_DIR / "environments.toml", synthesized)}


def test_cdn_off_has_no_cloudfront_line_but_internet_transfer(reference: dict[str, EnvironmentEstimate]) -> None:
    dev, stg = _lines(reference["dev"]), _lines(reference["stg"])
    assert not [name for name in dev if name.startswith("CloudFront")]
    assert dev["Data transfer out to the internet"] == pytest.approx((10 * 0.114,) * 2)
    assert stg["CloudFront (1 distribution)"] == pytest.approx((10 * 0.114 + 1 * 100 * 0.012,) * 2)
    assert "Data transfer out to the internet" not in stg
    assert len([name for name in stg if name.startswith("WAF ")]) == 2  # the ALB's and CloudFront's web ACL


def test_nat_none_single_and_per_az(reference: dict[str, EnvironmentEstimate]) -> None:
    assert "NAT gateways" not in _lines(reference["dev"])
    assert _lines(reference["stg"])["NAT gateways"] == pytest.approx((H * 0.062 + 10 * 0.062,) * 2)
    assert _lines(reference["prod"])["NAT gateways"] == pytest.approx((2 * H * 0.062 + 10 * 0.062,) * 2)


def test_aurora_acu_from_min_to_max_and_services_to_their_maximum(reference: dict[str, EnvironmentEstimate]) -> None:
    prod = _lines(reference["prod"])
    assert prod["Aurora acme-prod-db ACU"] == pytest.approx((2 * 0.5 * H * 0.15, 2 * 4 * H * 0.15))
    task = 1 * 0.05056 + 2 * 0.00553
    assert prod["Fargate acme-prod-api"] == pytest.approx((2 * H * task, 10 * H * task))  # no Spot: blue/green
    # web: base 2 on FARGATE, 1:3 after that -> peak 10 = 4 on-demand + 6 Spot at 70 % off
    assert prod["Fargate acme-prod-web"] == pytest.approx((2 * H * task, H * (4 * task + 6 * task * 0.3)))
    assert reference["prod"].spot_share(peak=False) == pytest.approx(0.75 / 7)  # only the worker's 0.75 of 7 tasks
    assert reference["stg"].spot_share(peak=False) == pytest.approx(0.75 / 4)


def test_layered_state_costs_the_same(layered_synthesized: Path, reference: dict[str, EnvironmentEstimate]) -> None:
    (prod,) = [env for env in _estimates(PROJECT_DIR / "environments.toml", layered_synthesized) if env.name == "prod"]
    assert len(prod.stacks) > 1
    assert _lines(prod) == _lines(reference["prod"])


# --- the command ---------------------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main.main(["cost", *args], {})
    out, err = capsys.readouterr()
    return code, out, err


def test_json_schema(capsys: pytest.CaptureFixture[str], synthesized: Path) -> None:
    config = str(PROJECT_DIR / "environments.toml")
    code, out, _ = run(capsys, "--config", config, "--synthesized", str(synthesized), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {
        "schema",
        "currency",
        "prices_as_of",
        "hours_per_month",
        "environments",
        "total",
        "prices",
        "notes",
    }
    assert (document["schema"], document["currency"], document["hours_per_month"]) == (SCHEMA, "USD", H)
    assert [env["name"] for env in document["environments"]] == ["dev", "stg", "prod"]
    for env in document["environments"]:
        assert set(env) == {
            "name",
            "region",
            "stacks",
            "lines",
            "baseline",
            "peak",
            "spot_share",
            "priced_resources",
            "free_resources",
            "not_priced",
            "assumptions",
        }
        assert all(
            set(line) == {"component", "detail", "baseline", "peak", "resources", "prices"} for line in env["lines"]
        )
        assert env["baseline"] == pytest.approx(sum(line["baseline"] for line in env["lines"]), abs=0.05)
        assert set(env["assumptions"]) == set(CostConfig.model_fields)
    total = document["total"]
    assert total["baseline"] == pytest.approx(sum(env["baseline"] for env in document["environments"]), abs=0.01)
    assert total["peak"] == pytest.approx(sum(env["peak"] for env in document["environments"]), abs=0.01)
    used = {(price["region"], price["key"]) for price in document["prices"]}
    assert ("ap-northeast-1", "nat_hour") in used
    assert all(price["source"].startswith("https://aws.amazon.com/") for price in document["prices"])
    # prod's own [cost] (environments.toml): 10 M requests, 100 GB out
    prod = document["environments"][2]
    assert (prod["assumptions"]["requests_millions"], prod["assumptions"]["data_out_gb"]) == (10.0, 100.0)


def test_text_output_has_subtotals_total_sources_and_assumptions(
    capsys: pytest.CaptureFixture[str], tiny: tuple[Path, Path]
) -> None:
    code, out, err = run(capsys, "--config", str(tiny[0]), "--synthesized", str(tiny[1]))
    assert (code, err) == (0, "")
    assert "  Subtotal dev " in out and "  All environments " in out
    assert "Fargate Spot share of task-hours: 38% baseline, 62% peak" in out
    assert "https://aws.amazon.com/rds/postgresql/pricing/  rds.db.t4g.micro, rds_storage.gp3" in out
    assert "as of 2025-06-01" in out and "[cost] of dev: requests_millions = 2," in out


def test_unknown_environment(capsys: pytest.CaptureFixture[str], tiny: tuple[Path, Path]) -> None:
    code, out, err = run(capsys, "--config", str(tiny[0]), "--synthesized", str(tiny[1]), "--env", "prod")
    assert (code, out) == (2, "")
    assert err == f"error: {tiny[0]} declares no environment prod; declared: dev\n"


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("log_gb = 3.0", "log_gb = -1.0", "dev.cost.log_gb: Input should be greater than or equal to 0 (got -1.0)"),
        (
            "spot_discount = 0.6",
            "spot_discount = 1.5",
            "dev.cost.spot_discount: Input should be less than or equal to 0.9 (got 1.5)",
        ),
        (
            "alb_lcu = 2.0",
            "alb_lcu = 2.0\ndatabase_gb = nan",
            "dev.cost.database_gb: Input should be a finite number (got nan)",
        ),
        (
            "alb_lcu = 2.0",
            "alb_lcu = 2.0\nrequests = 3.0",
            "dev.cost.requests: unknown key 'requests' (did you mean 'requests_millions'?); allowed: "
            "requests_millions, data_out_gb, alb_lcu, nat_gb, endpoint_gb, log_gb, storage_gb, database_gb, "
            "database_io_millions, spot_discount, trail_events_millions",
        ),
    ],
)
def test_bad_cost_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, replacement: str, message: str
) -> None:
    config_file = tmp_path / "bad.toml"
    config_file.write_text(TINY.replace(line, replacement))
    code, out, err = run(capsys, "--config", str(config_file), "--synthesized", "unused")
    assert (code, out) == (2, "")
    assert err == f"error: {config_file} [dev] environments.{message}\n"


def test_region_without_prices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config_file = tmp_path / "eu.toml"
    config_file.write_text(
        TINY.replace('region = "us-east-1"', 'region = "eu-west-1"').replace("us-east-1", "eu-west-1")
    )
    code, _, err = run(capsys, "--config", str(config_file), "--synthesized", "unused")
    assert code == 2
    assert err == (
        f"error: {config_file} project.region: no bundled prices for region eu-west-1; "
        f"the price table covers {', '.join(REGIONAL)}\n"
    )


def test_synth_without_arguments_is_unaffected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import tools.cost

    seen: list[Any] = []

    def synth(args: Any, environ: Any) -> int:
        seen.append(args.out)
        return 0

    monkeypatch.setattr(main, "_run", synth)
    monkeypatch.setattr(tools.cost, "cost_main", lambda *a, **k: pytest.fail("cost ran"))
    assert main.main([], {"CDKTF_OUTDIR": str(tmp_path / "out"), "CDKTF_CONTEXT_JSON": "{}"}) == 0
    assert seen == [str(tmp_path / "out")]
    # and the synth never imports the cost code or its price table
    probe = "import main, sys; print(sorted(m for m in sys.modules if m in ('tools.cost', 'tools.prices')))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
