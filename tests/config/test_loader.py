"""environments.toml loading: the reference file, merging, and one test per class of bad input."""

from __future__ import annotations

import copy
from collections.abc import Callable
from ipaddress import IPv4Network

import pytest

from config import ConfigError, PlatformConfig, build_config, load_config
from config.loader import deep_merge
from tests.conftest import REFERENCE_CONFIG, Json


def problems_of(document: Json) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build_config(document, "environments.toml")
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def broken(reference_document: Json) -> Callable[[Json], list[str]]:
    """Problems reported for the reference document with `override` merged in."""

    def build(override: Json) -> list[str]:
        return problems_of(deep_merge(copy.deepcopy(reference_document), override))

    return build


def test_reference_file_loads_with_all_environments() -> None:
    config = load_config(REFERENCE_CONFIG.read_text(), "environments.toml")
    assert config.environment_names == ("dev", "stg", "prod")
    assert config.project.name == "acme"
    assert config.project.tags["CostCenter"] == "platform"


def test_defaults_deep_merge_into_each_environment(reference_config: PlatformConfig) -> None:
    dev, prod = reference_config.environment("dev"), reference_config.environment("prod")
    assert dev.network.nat == "none" and prod.network.nat == "per_az"
    assert dev.network.azs == prod.network.azs == ("a", "c")  # from [defaults.network]
    assert dev.network.flow_logs.retention_days == 7 and dev.network.flow_logs.traffic_type == "ALL"
    assert dev.backend == reference_config.backend


def test_config_objects_are_frozen(reference_config: PlatformConfig) -> None:
    with pytest.raises(ValueError, match="frozen"):
        reference_config.environment("dev").network.nat = "single"  # type: ignore[misc]


def test_environment_backend_overrides_merge_over_shared_backend(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "prod": {
                    "backend": {
                        "bucket": "acme-prod-state",
                        "role_arn": "arn:aws:iam::222222222222:role/terraform-state",
                    }
                }
            }
        }
    )
    prod, dev = config.environment("prod"), config.environment("dev")
    assert prod.backend.bucket == "acme-prod-state"
    assert prod.backend.lock_table == dev.backend.lock_table  # inherited from [backend]
    assert prod.backend.role_arn is not None and dev.backend.role_arn is None


def test_toml_syntax_error_names_file_and_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config('[project]\nname = "acme"\nregion = \n', "environments.toml")
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert str(problem).startswith("environments.toml:3 TOML syntax error")


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"projekt": {}}, "environments.toml projekt: unknown key 'projekt' (did you mean 'project'?)"),
        ({"project": {"regin": "x"}}, "project.regin: unknown key 'regin' (did you mean 'region'?)"),
        (
            {"environments": {"dev": {"network": {"natt": "single"}}}},
            "[dev] environments.dev.network.natt: unknown key 'natt' (did you mean 'nat'?); allowed: cidr, azs",
        ),
        (
            {"defaults": {"network": {"flow_logs": {"retention": 7}}}},
            "environments.toml defaults.network.flow_logs.retention: unknown key 'retention' (did you mean "
            "'retention_days'?)",
        ),
        ({"environments": {"prod": {"netwrk": {}}}}, "[prod] environments.prod.netwrk: unknown key 'netwrk'"),
    ],
)
def test_unknown_keys_at_any_depth_name_the_full_path(
    broken: Callable[[Json], list[str]], override: Json, expected: str
) -> None:
    assert any(expected in problem for problem in broken(override)), broken(override)


def test_wrong_types_name_the_expected_type(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"dev": {"network": {"subnet_newbits": "4", "azs": "a"}}}})
    assert any(
        "environments.dev.network.subnet_newbits: Input should be a valid integer (got '4')" in p for p in problems
    )
    assert any("environments.dev.network.azs: Input should be an array (got 'a')" in p for p in problems)


def test_allowed_values_are_listed(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"stg": {"network": {"nat": "always"}}}})
    assert any(
        "[stg] environments.stg.network.nat: Input should be 'none', 'single' or 'per_az' (got 'always')" in p
        for p in problems
    )
    problems = broken({"defaults": {"network": {"interface_endpoints": ["ecr.api", "ecr-dkr"]}}})
    assert any("defaults.network.interface_endpoints[1]: Input should be 'ecr.api', 'ecr.dkr'" in p for p in problems)


def test_missing_required_keys(reference_document: Json) -> None:
    document = copy.deepcopy(reference_document)
    del document["environments"]["stg"]["network"]["cidr"]
    del document["backend"]["bucket"]
    problems = problems_of(document)
    assert "environments.toml [stg] environments.stg.network.cidr: missing required key" in problems
    assert "environments.toml backend.bucket: missing required key" in problems
    # the shared backend problem is reported once, not once per environment
    assert sum("backend.bucket" in problem for problem in problems) == 1


def test_missing_tables_are_reported(reference_document: Json) -> None:
    document = copy.deepcopy(reference_document)
    del document["project"], document["environments"]
    problems = problems_of(document)
    assert "environments.toml project: missing required table [project]" in problems
    assert "environments.toml environments: missing required table [environments]" in problems


def test_environment_outside_allowed_set(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"staging": {"network": {"cidr": "10.9.0.0/16"}}}})
    assert any(
        "environments.staging: unknown environment 'staging'" in p and "allowed: dev, stg, prod" in p for p in problems
    )


@pytest.mark.parametrize("cidr", ["10.0.0.1/16", "10.0.0.0/33", "ten.0.0.0/16"])
def test_invalid_cidr(broken: Callable[[Json], list[str]], cidr: str) -> None:
    problems = broken({"environments": {"dev": {"network": {"cidr": cidr}}}})
    assert any(
        p.startswith("environments.toml [dev] environments.dev.network.cidr: ") and "IPv4 network" in p
        for p in problems
    ), problems


def test_vpc_prefix_out_of_range(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"dev": {"network": {"cidr": "10.0.0.0/12"}}}})
    assert any(
        "environments.dev.network.cidr: 10.0.0.0/12 must have a prefix between /16 and /24" in p for p in problems
    )


def test_explicit_subnets_outside_vpc(broken: Callable[[Json], list[str]]) -> None:
    problems = broken(
        {
            "environments": {
                "dev": {
                    "network": {
                        "public_subnets": ["10.0.1.0/24", "10.0.2.0/24"],
                        "private_subnets": ["10.0.11.0/24", "10.5.12.0/24"],
                        "database_subnets": ["10.0.21.0/24", "10.0.22.0/24"],
                    }
                }
            }
        }
    )
    assert (
        "environments.toml [dev] environments.dev.network.private_subnets[1]: 10.5.12.0/24 does not fit in the "
        "VPC CIDR 10.0.0.0/16"
    ) in problems


def test_explicit_subnets_overlapping_each_other(broken: Callable[[Json], list[str]]) -> None:
    problems = broken(
        {
            "environments": {
                "dev": {
                    "network": {
                        "public_subnets": ["10.0.1.0/24", "10.0.2.0/24"],
                        "private_subnets": ["10.0.2.0/25", "10.0.12.0/24"],
                        "database_subnets": ["10.0.21.0/24", "10.0.22.0/24"],
                    }
                }
            }
        }
    )
    assert any("private_subnets[0]: 10.0.2.0/25 overlaps public_subnets[1] (10.0.2.0/24)" in p for p in problems)


def test_explicit_subnets_must_match_az_count(broken: Callable[[Json], list[str]]) -> None:
    problems = broken(
        {
            "environments": {
                "dev": {
                    "network": {
                        "public_subnets": ["10.0.1.0/24"],
                        "private_subnets": ["10.0.11.0/24"],
                        "database_subnets": ["10.0.21.0/24"],
                    }
                }
            }
        }
    )
    assert any("public_subnets: has 1 subnets but there are 2 AZs (a, c)" in p for p in problems)


def test_explicit_subnets_are_used_in_az_order(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "dev": {
                    "network": {
                        "public_subnets": ["10.0.1.0/24", "10.0.2.0/24"],
                        "private_subnets": ["10.0.11.0/24", "10.0.12.0/24"],
                        "database_subnets": ["10.0.21.0/24", "10.0.22.0/24"],
                    }
                }
            }
        }
    )
    assert config.environment("dev").network.subnet_cidrs("private") == ("10.0.11.0/24", "10.0.12.0/24")


def test_derived_subnets_follow_cidrsubnet(reference_config: PlatformConfig) -> None:
    network = reference_config.environment("dev").network
    assert network.subnet_cidrs("public") == ("10.0.0.0/20", "10.0.16.0/20")
    assert network.subnet_cidrs("private") == ("10.0.32.0/20", "10.0.48.0/20")
    assert network.subnet_cidrs("database") == ("10.0.64.0/20", "10.0.80.0/20")
    every = [IPv4Network(c) for tier in ("public", "private", "database") for c in network.subnet_cidrs(tier)]
    assert all(a == b or not a.overlaps(b) for a in every for b in every)


def test_overlapping_vpcs_between_environments(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"prod": {"network": {"cidr": "10.0.128.0/17"}}}})
    assert (
        "environments.toml [prod] environments.prod.network.cidr: 10.0.128.0/17 overlaps dev's VPC 10.0.0.0/16; "
        "environments need disjoint CIDRs so they can be peered or share a transit gateway later"
    ) in problems


def test_more_azs_than_subnets_allow(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"prod": {"network": {"azs": ["a", "c", "d"], "subnet_newbits": 3}}}})
    assert (
        "environments.toml [prod] environments.prod.network.azs: 3 AZs need 9 subnets (3 tiers), but "
        "subnet_newbits = 3 splits 10.1.0.0/16 into only 8; use fewer AZs or raise subnet_newbits"
    ) in problems


def test_duplicate_az(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"defaults": {"network": {"azs": ["a", "a"]}}})
    assert any("defaults.network.azs: ['a', 'a'] lists an AZ twice" in p for p in problems)


def test_invalid_log_retention_lists_allowed_values(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"dev": {"network": {"flow_logs": {"retention_days": 10}}}}})
    assert any(
        "environments.dev.network.flow_logs.retention_days: 10 is not a CloudWatch Logs retention period; "
        "allowed: 1, 3, 5, 7, 14, 30" in p
        for p in problems
    )


def test_reserved_tags_are_rejected(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"project": {"tags": {"Environment": "x"}}})
    assert any("project.tags.Environment: 'Environment' is set by the generator" in p for p in problems)


def test_backend_locking_values(broken: Callable[[Json], list[str]]) -> None:
    problems = broken({"environments": {"prod": {"backend": {"locking": "s3"}}}})
    assert any(
        "[prod] environments.prod.backend.locking: Input should be 'dynamodb', 'lockfile' or 'both'" in p
        for p in problems
    )


def test_every_problem_is_reported_at_once(broken: Callable[[Json], list[str]]) -> None:
    problems = broken(
        {
            "project": {"name": "Acme Corp"},
            "environments": {"dev": {"network": {"nat": "sometimes"}}, "prod": {"network": {"cidr": "10.1.0.0/40"}}},
        }
    )
    assert len(problems) >= 3
    assert {("[dev]" in p) for p in problems} == {True, False}
    assert any(p.startswith("environments.toml project.name:") for p in problems)
    assert any("[prod]" in p for p in problems)
