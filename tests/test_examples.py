"""The five seed systems of examples/: each loads, synthesizes, passes `terraform validate` and the Checkov baseline,
and still shows what examples/README.md says it shows (the seed's own settings, asserted on the JSON)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from config import build_config
from config.loader import deep_merge
from scripts.checkov_scan import ScanReport, accepted, baseline_entries, scan
from tests.conftest import PROJECT_DIR, Json, only, resources
from tests.terraform import validate_stacks

EXAMPLES_DIR = PROJECT_DIR / "examples"

EXAMPLES = {
    # name: (seed, stacks in apply order)
    "zedi": ("000", ["bootstrap", "bootstrap-prod", "dev", "prod"]),
    "go-ddd-ca": ("001", ["bootstrap", "dev", "prod"]),
    "todo": ("002", ["bootstrap", "dev", "prod"]),
    "hbp-cc": ("003", ["bootstrap", "bootstrap-prod", "bootstrap-stg", "dev", "stg", "prod"]),
    "bookmark-manager": (
        "004",
        ["bootstrap"]
        + [
            f"prod-{layer}"
            for layer in (
                "encryption",
                "registry",
                "storage",
                "network",
                "security",
                "data",
                "secrets",
                "domain",
                "load-balancing",
                "compute",
                "edge",
                "bastion",
                "monitoring",
            )
        ],
    ),
}


def config_path(name: str) -> Path:
    return EXAMPLES_DIR / name / "environments.toml"


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def outdir(example: str, synthesized_file: Callable[[Path], Path]) -> Path:
    return synthesized_file(config_path(example))


def stack_json(outdir: Path, stack: str) -> Json:
    import json

    document: Json = json.loads((outdir / "stacks" / stack / "cdk.tf.json").read_text())
    return document


def summaries(outdir: Path) -> list[tuple[str, int]]:
    """(stack, resource count) in apply order, as `main.py` prints them."""
    from main import stack_summaries

    return [(summary.name, summary.resources) for summary in stack_summaries(outdir)]


def test_every_example_folder_is_tested() -> None:
    folders = sorted(path.parent.name for path in EXAMPLES_DIR.glob("*/environments.toml"))
    assert folders == sorted(EXAMPLES)


def test_example_synthesizes_its_stacks_in_apply_order(example: str, outdir: Path) -> None:
    assert [name for name, _ in summaries(outdir)] == EXAMPLES[example][1]


def test_example_stacks_pass_terraform_validate(
    example: str, outdir: Path, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    stacks = EXAMPLES[example][1]
    reports = validate_stacks(outdir, stacks, terraform_env, tmp_path)
    assert sorted(reports) == sorted(stacks)
    problems = {stack: report for stack, report in reports.items() if report["error_count"] or report["warning_count"]}
    assert problems == {}


@pytest.fixture(scope="module")
def checkov_report(outdir: Path, tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    return scan(outdir, tmp_path_factory.mktemp("checkov-example"))


def unattached_groups(report: ScanReport) -> set[tuple[str, tuple[str, str]]]:
    """CKV2_AWS_5 on the security groups of a per-layer `*-security` stack (they are attached in other states)."""
    return {
        (stack, finding)
        for stack, result in report.stacks.items()
        if stack.endswith("-security")
        for finding in result.failed
        if finding[0] == "CKV2_AWS_5" and finding[1].startswith("aws_security_group security_groups/")
    }


def test_example_has_only_baselined_checkov_findings(example: str, checkov_report: ScanReport) -> None:
    assert checkov_report.summary.get("parsing_errors") == 0, checkov_report.stderr[-3000:]
    assert sorted(checkov_report.stacks) == sorted(EXAMPLES[example][1])
    assert all(result.passed > 0 for result in checkov_report.stacks.values())
    entries = [(e.check, e.resource) for e in baseline_entries() if not e.examples or example in e.examples]
    layered = unattached_groups(checkov_report)
    unexpected = {
        stack: sorted(f for f in result.failed if not accepted(f, entries) and (stack, f) not in layered)
        for stack, result in checkov_report.stacks.items()
    }
    assert {stack: found for stack, found in unexpected.items() if found} == {}


def test_example_baseline_entries_are_still_needed(example: str, checkov_report: ScanReport) -> None:
    seen = set().union(*(result.failed for result in checkov_report.stacks.values()))
    stale = [
        entry
        for entry in baseline_entries()
        if example in entry.examples and not any(accepted(finding, [(entry.check, entry.resource)]) for finding in seen)
    ]
    assert stale == []


def test_baseline_entries_name_existing_examples() -> None:
    named = {name for entry in baseline_entries() for name in entry.examples}
    assert named <= set(EXAMPLES)


def test_layered_security_groups_are_attached_in_one_state(
    synthesized_file: Callable[[Path], Path], tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """bookmark-manager per layer: CKV2_AWS_5 flags groups attached in other states; in one state none is flagged."""
    layered = scan(synthesized_file(config_path("bookmark-manager")), tmp_path_factory.mktemp("checkov-layered"))
    assert {finding[1] for _, finding in unattached_groups(layered)} == {
        f"aws_security_group security_groups/{group}" for group in ("alb", "api", "bastion", "database", "web")
    }
    with config_path("bookmark-manager").open("rb") as handle:
        document = tomllib.load(handle)
    whole = build_config(deep_merge(document, {"project": {"state": "per_environment"}}), "whole.toml")
    from main import synthesize

    synthesize(whole, whole.environment_names, tmp_path / "cdktf.out")
    report = scan(tmp_path / "cdktf.out", tmp_path / "checkov")
    assert not [finding for finding in report.stacks["prod"].failed if finding[0] == "CKV2_AWS_5"]


# --- what each example shows off (examples/README.md) ---------------------------------------------------------


@pytest.fixture(scope="module")
def documents(synthesized_file: Callable[[Path], Path]) -> Callable[[str, str], Json]:
    def load(name: str, stack: str) -> Json:
        return stack_json(synthesized_file(config_path(name)), stack)

    return load


def values(document: Json, resource_type: str) -> list[Json]:
    return list(resources(document, resource_type).values())


def test_zedi_websocket_service_on_spot_without_nat(documents: Callable[[str, str], Json]) -> None:
    for env in ("dev", "prod"):
        document = documents("zedi", env)
        assert "aws_nat_gateway" not in document["resource"]
        assert only(document, "aws_lb")["idle_timeout"] == 3600
        group = only(document, "aws_lb_target_group")
        assert group["stickiness"] == {"enabled": True, "type": "lb_cookie", "cookie_duration": 86400}
        strategy = {s["capacity_provider"]: s for s in only(document, "aws_ecs_service")["capacity_provider_strategy"]}
        assert (strategy["FARGATE_SPOT"]["weight"], strategy["FARGATE"]["base"]) == (100, 1)
        metrics = [
            policy["target_tracking_scaling_policy_configuration"]["customized_metric_specification"]
            for policy in values(document, "aws_appautoscaling_policy")
            if "customized_metric_specification" in policy["target_tracking_scaling_policy_configuration"]
        ]
        assert [(m["metric_name"], m["namespace"]) for m in metrics] == [("ActiveConnections", f"zedi/{env}")]


def test_zedi_cognito_http_api_and_lambda(documents: Callable[[str, str], Json]) -> None:
    document = documents("zedi", "dev")
    pool = only(document, "aws_cognito_user_pool")
    assert pool["mfa_configuration"] == "OPTIONAL" and pool["username_attributes"] == ["email"]
    assert only(document, "aws_apigatewayv2_api")["protocol_type"] == "HTTP"
    assert only(document, "aws_apigatewayv2_authorizer")["authorizer_type"] == "JWT"
    function = only(document, "aws_lambda_function")
    assert function["function_name"] == "zedi-dev-fn-pages" and "vpc_config" in function
    assert only(document, "aws_cloudfront_distribution")["aliases"] == ["app-dev.zedi.example.jp"]


def test_zedi_prod_lives_in_its_own_account_and_backend(documents: Callable[[str, str], Json]) -> None:
    prod = documents("zedi", "prod")
    (provider,) = [p for p in prod["provider"]["aws"] if "alias" not in p]
    assert provider["allowed_account_ids"] == ["210987654321"]
    assert prod["terraform"]["backend"]["s3"]["bucket"] == "zedi-prod-terraform-state-apne1"
    assert documents("zedi", "dev")["terraform"]["backend"]["s3"]["bucket"] == "zedi-terraform-state-apne1"
    cluster = only(prod, "aws_rds_cluster")
    assert (cluster["engine_version"], cluster["serverlessv2_scaling_configuration"]["max_capacity"]) == ("15.14", 4)


def test_go_ddd_ca_response_time_alarm_over_two_seconds_for_120_seconds(documents: Callable[[str, str], Json]) -> None:
    for env in ("dev", "prod"):
        (alarm,) = [
            a
            for a in values(documents("go-ddd-ca", env), "aws_cloudwatch_metric_alarm")
            if a["metric_name"] == "TargetResponseTime"
        ]
        assert (alarm["statistic"], alarm["comparison_operator"], alarm["threshold"]) == (
            "Average",
            "GreaterThanThreshold",
            2,
        )
        assert alarm["period"] * alarm["evaluation_periods"] == 120


def test_go_ddd_ca_three_protocols_on_rds_sized_per_environment(documents: Callable[[str, str], Json]) -> None:
    dev, prod = documents("go-ddd-ca", "dev"), documents("go-ddd-ca", "prod")
    groups = {g["name"].rsplit("-", 1)[0]: g for g in values(dev, "aws_lb_target_group")}
    assert groups["go-ddd-ca-dev-grpc"]["protocol_version"] == "GRPC" and groups["go-ddd-ca-dev-grpc"]["port"] == 50051
    graphql = groups["go-ddd-ca-dev-graphql"]["health_check"]
    assert (graphql["interval"], graphql["timeout"]) == (45, 8)
    db_dev, db_prod = only(dev, "aws_db_instance"), only(prod, "aws_db_instance")
    assert (db_dev["instance_class"], db_dev["multi_az"], db_dev["deletion_protection"]) == (
        "db.t3.small",
        False,
        False,
    )
    assert (db_dev["allocated_storage"], db_dev["max_allocated_storage"]) == (20, 100)
    assert (db_prod["instance_class"], db_prod["multi_az"], db_prod["deletion_protection"]) == (
        "db.t3.medium",
        True,
        True,
    )
    assert {p["name"] for p in values(dev, "aws_ssm_parameter")} >= {"/dev/db/host", "/dev/db/name", "/dev/db/port"}
    # three tasks per service in prod (none until CI has deployed an image tag)
    assert [s["desired_count"].endswith("? 0 : 3}") for s in values(prod, "aws_ecs_service")] == [True] * 3


def test_todo_cloudfront_sends_api_to_the_alb_which_only_cloudfront_reaches(
    documents: Callable[[str, str], Json],
) -> None:
    document = documents("todo", "dev")
    distribution = only(document, "aws_cloudfront_distribution")
    (api,) = [b for b in distribution["ordered_cache_behavior"] if b["path_pattern"] == "/api/*"]
    origins = {o["origin_id"]: o for o in distribution["origin"]}
    assert origins[api["target_origin_id"]]["domain_name"] == "api-dev.todo.example.jp"
    assert origins[api["target_origin_id"]]["custom_origin_config"]["origin_protocol_policy"] == "https-only"
    assert set(api["allowed_methods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
    assert distribution["price_class"] == "PriceClass_All"
    ingress = values(document, "aws_vpc_security_group_ingress_rule")
    assert [r.get("cidr_ipv4") for r in ingress if r["from_port"] == 80] == ["0.0.0.0/0"]
    (https,) = [r for r in ingress if r["from_port"] == 443 and "prefix_list_id" in r]
    assert not [r for r in ingress if r["from_port"] == 443 and r.get("cidr_ipv4") == "0.0.0.0/0"]
    assert https["prefix_list_id"].startswith("${data.aws_ec2_managed_prefix_list.")


def test_todo_aurora_cognito_and_dotenv_outputs(documents: Callable[[str, str], Json]) -> None:
    document = documents("todo", "dev")
    cluster = only(document, "aws_rds_cluster")
    assert (cluster["engine_version"], cluster["database_name"], cluster["master_username"]) == (
        "16.10",
        "todo_db",
        "postgres",
    )
    scaling = cluster["serverlessv2_scaling_configuration"]
    assert (scaling["min_capacity"], scaling["max_capacity"]) == (0.5, 1)
    assert cluster["preferred_maintenance_window"] == "mon:04:00-mon:05:00"
    assert "aws_cognito_user_pool" in document["resource"]
    assert {"dotenv_api", "dotenv_spa", "cognito_user_pool_id"} <= set(document["output"])
    subnets = {s["cidr_block"] for s in values(document, "aws_subnet")}
    assert {"10.0.1.0/24", "10.0.12.0/24", "10.0.21.0/24"} <= subnets


def test_hbp_cc_medical_audit_in_every_environment(documents: Callable[[str, str], Json]) -> None:
    for env in ("dev", "stg", "prod"):
        document = documents("hbp-cc", env)
        trail = only(document, "aws_cloudtrail")
        assert trail["is_multi_region_trail"] is True and trail["enable_log_file_validation"] is True
        instance = only(document, "aws_db_instance")
        assert "postgresql" in instance["enabled_cloudwatch_logs_exports"]
        parameters = {p["name"]: p["value"] for p in only(document, "aws_db_parameter_group")["parameter"]}
        assert parameters["log_connections"] == parameters["log_disconnections"] == "1"
        assert document["terraform"]["backend"]["s3"]["bucket"] == f"hbp-cc-infra-{env}-tfstate"


def test_hbp_cc_dev_omits_worker_batch_and_sqs(documents: Callable[[str, str], Json]) -> None:
    dev, stg = documents("hbp-cc", "dev"), documents("hbp-cc", "stg")
    for absent in ("aws_batch_job_queue", "aws_sqs_queue", "aws_sesv2_email_identity"):
        assert absent not in dev["resource"]
    assert [s["name"] for s in values(dev, "aws_ecs_service")] == ["hbp-cc-dev-api"]
    assert only(stg, "aws_batch_job_queue")["name"] == "stg_default"
    assert only(stg, "aws_batch_job_definition")["name"] == "stg_fastapi_default_job"
    assert sorted(s["name"] for s in values(stg, "aws_ecs_service")) == ["hbp-cc-stg-api", "hbp-cc-stg-worker"]
    assert "aws_codedeploy_deployment_group" in dev["resource"]  # blue/green in every environment


def test_bookmark_manager_per_layer_writer_reader_and_www_on_the_alb(documents: Callable[[str, str], Json]) -> None:
    data = documents("bookmark-manager", "prod-data")
    cluster = only(data, "aws_rds_cluster")
    assert (cluster["engine_version"], cluster["backup_retention_period"]) == ("17.6", 30)
    assert len(values(data, "aws_rds_cluster_instance")) == 2
    assert len(values(documents("bookmark-manager", "prod-network"), "aws_nat_gateway")) == 1
    assert only(documents("bookmark-manager", "prod-bastion"), "aws_instance")["instance_type"] == "t3.nano"
    records = {r["name"] for r in values(documents("bookmark-manager", "prod-edge"), "aws_route53_record")}
    assert records == {"tidilyspace.app", "www.tidilyspace.app"}
    storage = documents("bookmark-manager", "prod-storage")
    (rule,) = only(storage, "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["transition"] == [{"days": 180, "storage_class": "STANDARD_IA"}] and rule["expiration"] == [
        {"days": 730}
    ]
    acl = only(documents("bookmark-manager", "prod-load-balancing"), "aws_wafv2_web_acl")
    groups = [
        r["statement"]["managed_rule_group_statement"]["name"]
        for r in acl["rule"]
        if "managed_rule_group_statement" in r["statement"]
    ]
    assert groups == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]


# --- examples/README.md and the command it shows ------------------------------------------------------------


def readme_counts(name: str) -> dict[str, int]:
    """The `stack | resources` rows of the example's section in examples/README.md."""
    text = (EXAMPLES_DIR / "README.md").read_text()
    section = text.split(f"\n## {name} ", 1)[1].split("\n## ", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| (\d+) \|", section, re.MULTILINE)}


def test_readme_lists_every_stack_with_its_resource_count(example: str, outdir: Path) -> None:
    counts = dict(summaries(outdir))
    assert readme_counts(example) == counts
    text = (EXAMPLES_DIR / "README.md").read_text()
    (row,) = [line for line in text.splitlines() if line.startswith(f"| [`{example}`]")]
    assert row.split(" | ")[1] == EXAMPLES[example][0]  # the seed number
    named = {m[1]: int(m[2]) for m in re.finditer(r"`([a-z0-9-]+)` (\d+)", row)}
    assert named == {stack: count for stack, count in counts.items() if stack in named} and "bootstrap" in named
    together = re.search(r"\((\d+) together\)", row)
    layered = sum(count for stack, count in counts.items() if stack not in named)
    assert (int(together[1]) if together else 0) == layered


def test_readme_command_synthesizes_the_todo_example(tmp_path: Path) -> None:
    """`make synth ARGS="--config examples/todo/environments.toml"` runs exactly this command."""
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert re.search(r"^synth:.*\n\t\.venv/bin/python main\.py \$\(ARGS\)$", makefile, re.MULTILINE)
    result = subprocess.run(
        [sys.executable, "main.py", "--config", "examples/todo/environments.toml", "--out", str(tmp_path / "out")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Synthesized 3 stacks from examples/todo/environments.toml" in result.stdout
    assert sorted(path.name for path in (tmp_path / "out" / "stacks").iterdir()) == ["bootstrap", "dev", "prod"]


# --- examples/README.md: the cost table -------------------------------------------------------------------


def test_cost_table_matches_the_cost_command(synthesized_file: Callable[[Path], Path]) -> None:
    """Each "ours" figure of the seeds-beside-ours table is what `python main.py cost` prints for that example."""
    from tools.cost import estimate, read_stacks

    text = (EXAMPLES_DIR / "README.md").read_text()
    section = text.split("\n## Cost: ", 1)[1]
    rows = re.findall(r"^\| ([a-z-]+) \| ([a-z]+) \| [^|]+ \| \$([\d,.]+) \| \$([\d,.]+) \|$", section, re.MULTILINE)
    assert {name for name, *_ in rows} == {"zedi", "go-ddd-ca", "todo", "bookmark-manager"}
    for name, environment, baseline, peak in rows:
        config = build_config(tomllib.loads(config_path(name).read_text()), str(config_path(name)))
        (result,) = estimate(
            read_stacks(synthesized_file(config_path(name))),
            [environment],
            {environment: config.environment(environment).cost},
        )
        assert (f"{result.baseline:,.2f}", f"{result.peak:,.2f}") == (baseline, peak), name
