"""Names and quotas AWS enforces at apply time, refused at config time with the generated name in the message."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import PlatformConfig, build_config
from config.limits import TASK_DEFINITION_LIMIT, estimate_container_bytes
from config.names import bucket_name_problem, identifier_problem, prefix, repository_problem
from tests.config.conftest import one_problem
from tests.conftest import Json


def test_the_reference_config_is_within_every_limit(reference_config: PlatformConfig) -> None:
    assert reference_config.environment_names == ("dev", "stg", "prod")


def test_one_availability_zone(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"network": {"azs": ["a"]}}})
    line = one_problem(found, "[dev, stg] defaults.network.azs:")
    assert "the ALB (subnets in two AZs)" in line and "the DB subnet group acme-<env>-db" in line
    # prod's Redis has two nodes and failover: its replica needs another AZ as well
    line = one_problem(found, "[prod] defaults.network.azs:")
    assert "Redis automatic failover of acme-prod-redis" in line


def test_one_availability_zone_is_fine_without_alb_and_database(reference_document: Json) -> None:
    document = copy.deepcopy(reference_document)
    document["defaults"]["network"]["azs"] = ["a"]
    document["defaults"]["database"]["enabled"] = False
    document["defaults"]["cache"]["enabled"] = False
    document["defaults"]["services"] = {"worker": {"kind": "worker"}}
    document["defaults"]["batch"]["enabled"] = False  # its job runs the api image and reaches the database
    for environment in document["environments"].values():
        environment.pop("services", None)
    config = build_config(document, "test.toml")
    assert config.environment("prod").network.azs == ("a",)


def test_project_name_too_long_for_elasticache(problems: Callable[[Json], list[str]]) -> None:
    name = "a" * 32  # accepted by the name pattern; acme-prod-redis becomes 42 characters
    found = problems({"project": {"name": name}})
    line = one_problem(found, "ElastiCache")
    assert line.startswith("environments.toml project.name:")
    assert f"'{name}-prod-redis' (in prod)" in line and "AWS allows 40" in line
    assert "at most 29 characters" in line
    assert len(f"{'a' * 29}-prod-redis") == 40


def test_double_dash_in_project_name(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"project": {"name": "ac--me"}})
    assert "contains '--'" in one_problem(found, "RDS cluster identifier")
    assert "contains '--'" in one_problem(found, "ElastiCache")
    assert "is not an ECR repository name" in one_problem(found, "ECR repository")
    assert all(line.startswith("environments.toml project.name:") for line in found), found


@pytest.mark.parametrize(
    ("name", "problem"),
    [("internal-x", "load balancer name"), ("sg-apps", "security group name")],
)
def test_project_names_aws_reserves(problems: Callable[[Json], list[str]], name: str, problem: str) -> None:
    found = problems({"project": {"name": name}})
    assert one_problem(found, problem).startswith("environments.toml project.name:")


def test_iam_role_name_over_64(problems: Callable[[Json], list[str]]) -> None:
    service = "s" + "x" * 20  # 21 characters: the longest service name
    found = problems(
        {
            "project": {"name": "p" * 30},
            "environments": {"prod": {"services": {service: {"kind": "worker"}}}},
        }
    )
    line = one_problem(found, f"environments.prod.services.{service}:")
    assert f"'{'p' * 30}-prod-{service}-execution'" in line and "IAM allows 64" in line


@pytest.mark.parametrize("service", ["batch-", "a--b"])
def test_ecr_repository_name_of_a_service(problems: Callable[[Json], list[str]], service: str) -> None:
    found = problems({"defaults": {"services": {service: {"kind": "worker"}}}})
    assert f"ECR repository 'acme-<env>-{service}'" in one_problem(found, f"defaults.services.{service}:")


@pytest.mark.parametrize(
    ("routing", "key"),
    [
        ({"path_patterns": ["/" + "a" * 128]}, "path_patterns[0]"),
        ({"path_patterns": ["/api /*"]}, "path_patterns[0]"),
        ({"host_headers": ["a" * 125 + ".com"]}, "host_headers[0]"),
        ({"host_headers": ["localhost"]}, "host_headers[0]"),
        ({"health_check_path": "api/health"}, "health_check_path"),
    ],
)
def test_routing_values_the_alb_refuses(problems: Callable[[Json], list[str]], routing: Json, key: str) -> None:
    found = problems({"defaults": {"services": {"api": {"routing": routing}}}})
    assert one_problem(found, f"defaults.services.api.routing.{key}:")


@pytest.mark.parametrize("key", ["aws:createdBy", "AWS:team"])
def test_tag_keys_reserved_by_aws(problems: Callable[[Json], list[str]], key: str) -> None:
    found = problems({"project": {"tags": {key: "x"}}})
    assert "reserved for AWS" in one_problem(found, f"project.tags.{key}:")


def test_tag_characters(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"project": {"tags": {"Cost*Center": "x"}}})
    assert one_problem(found, "project.tags")


@pytest.mark.parametrize(
    ("bucket", "reason"),
    [
        ("192.168.5.4", "IP address"),
        ("acme..state", "'..'"),
        ("acme.-state", "'.-'"),
        ("acme-.state", "'-.'"),
        ("xn--acme-state", "'xn--'"),
        ("acme-state-s3alias", "'-s3alias'"),
        ("sthree-acme", "'sthree-'"),
    ],
)
def test_state_bucket_names_s3_refuses(problems: Callable[[Json], list[str]], bucket: str, reason: str) -> None:
    found = problems({"backend": {"bucket": bucket}})
    assert reason in one_problem(found, "backend.bucket:")


def test_bucket_rules() -> None:
    assert bucket_name_problem("acme-terraform-state-apne1") is None
    assert bucket_name_problem("acme.state.example") is None
    assert bucket_name_problem("1.2.3") is None  # not an IPv4 address


@pytest.mark.parametrize(
    "override",
    [
        {"defaults": {"security": {"secrets": {"jwt-secret": {"version": 2**63}}}}},
        {"defaults": {"security": {"parameters": {"app/log-level": {"version": 2**53}}}}},
        {"defaults": {"cache": {"auth_token_version": 2**64}}},
    ],
)
def test_versions_beyond_what_json_carries(problems: Callable[[Json], list[str]], override: Json) -> None:
    found = problems(override)
    assert any("version: Input should be less than or equal to 9007199254740991" in line for line in found), found


def test_more_than_60_rules_on_the_database_group(problems: Callable[[Json], list[str]]) -> None:
    # prod: api and worker read db: secrets, the function `items`, the bastion and Batch reach it too: 56 more
    # services make 58 services, 61 rules
    services = {f"job{index:02d}": {"kind": "worker", "data_access": ["database"]} for index in range(56)}
    found = problems({"environments": {"prod": {"services": services}}})
    line = one_problem(found, "acme-prod-database")
    assert "58 services and 1 API functions and the Batch jobs reach the database" in line
    assert "61 inbound rules" in line and "plus the bastion plus Batch" in line
    assert "AWS allows 60" in line


def test_60_rules_on_the_database_group_are_fine(config_with: Callable[[Json], PlatformConfig]) -> None:
    # api, worker, the function, the bastion and Batch reach the database, so 55 more make 60 rules
    services = {f"job{index:02d}": {"kind": "worker", "data_access": ["database"]} for index in range(55)}
    config_with({"environments": {"prod": {"services": services}}})
    # without the API, its function's rule is gone: one more service fits
    services["job55"] = {"kind": "worker", "data_access": ["database"]}
    config_with({"environments": {"prod": {"services": services, "api": {"enabled": False}}}})


def test_task_definition_over_64_kib(problems: Callable[[Json], list[str]]) -> None:
    environment = {f"VAR_{index}": "x" * 4000 for index in range(16)}
    found = problems({"defaults": {"services": {"worker": {"environment": environment}}}})
    line = one_problem(found, "defaults.services.worker.environment:")
    assert "ECS accepts 64 KiB" in line


def test_container_estimate_is_not_below_the_real_size(reference_config: PlatformConfig) -> None:
    # The JSON the compute module registers for prod's api, with ARNs at their real length, is ~1.3 KiB.
    environment = reference_config.environment("prod")
    size = estimate_container_bytes(reference_config.project, environment, prefix("acme", "prod"), "api")
    assert 1000 < size < TASK_DEFINITION_LIMIT


def test_ssm_parameter_hierarchy_levels(problems: Callable[[Json], list[str]]) -> None:
    key = "/".join(f"l{index}" for index in range(14))  # 14 levels under /acme/<env>: 16
    found = problems({"defaults": {"security": {"parameters": {key: {"value": "x"}}}}})
    assert "SSM allows 15" in one_problem(found, f"defaults.security.parameters.{key}:")


def test_identifier_and_repository_rules() -> None:
    assert identifier_problem("acme-prod-db", 63) is None
    assert identifier_problem("acme-prod-db-", 63) is not None
    assert identifier_problem("1acme", 63) is not None
    assert repository_problem("acme-prod-api") is None
    assert repository_problem("acme-prod-api-") is not None
