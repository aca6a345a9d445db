"""Delivery and bastion settings: bad input names its key, and the account's one GitHub OIDC provider never collides."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import PlatformConfig
from config.bastion import is_arm
from tests.config.conftest import main_exits_2, one_problem
from tests.conftest import REFERENCE_CONFIG, Json

OTHER_BACKEND = {"bucket": "acme-dev-state-apne1", "lock_table": "acme-dev-locks", "region": "ap-northeast-1"}


@pytest.mark.parametrize(
    "repository", ["acme", "acme/platform/extra", "https://github.com/acme/platform", "/x", "a b/c"]
)
def test_repository_must_be_owner_slash_name(problems: Callable[[Json], list[str]], repository: str) -> None:
    found = problems({"defaults": {"delivery": {"repository": repository}}})
    line = one_problem(found, "defaults.delivery.repository:")
    assert line == (
        f"environments.toml defaults.delivery.repository: {repository!r} is not a GitHub repository in owner/name "
        "form (e.g. 'acme/platform')"
    )


def test_enabled_delivery_needs_a_repository(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"delivery": {"repository": None}}}})
    assert any("delivery" in line for line in found), found


def test_exactly_one_of_branch_and_github_environment(problems: Callable[[Json], list[str]]) -> None:
    both = problems({"environments": {"dev": {"delivery": {"branch": "develop"}}}})
    line = one_problem(both, "environments.dev.delivery.branch:")
    assert "give exactly one of branch and github_environment" in line and "[dev]" in line


def test_delivery_off_needs_nothing(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"defaults": {"delivery": {"enabled": False, "repository": None}}})
    assert not config.environment("prod").delivery.enabled


def test_subjects_are_exact(reference_config: PlatformConfig, config_with: Callable[[Json], PlatformConfig]) -> None:
    assert reference_config.environment("dev").delivery.subjects == ("repo:acme/platform:environment:dev",)
    branch = config_with({"environments": {"dev": {"delivery": {"branch": "develop", "github_environment": None}}}})
    assert branch.environment("dev").delivery.subjects == ("repo:acme/platform:ref:refs/heads/develop",)
    assert reference_config.environment("prod").delivery.subjects == ("repo:acme/platform:environment:production",)
    assert reference_config.environment("stg").delivery.plan_subjects == ("repo:acme/platform:environment:stg",)
    stg = config_with({"environments": {"stg": {"delivery": {"plan_on_pull_requests": True}}}}).environment("stg")
    assert stg.delivery.plan_subjects == (*stg.delivery.subjects, "repo:acme/platform:pull_request")
    assert reference_config.environment("prod").delivery.plan_subjects == ("repo:acme/platform:environment:production",)


def test_two_bootstrap_stacks_in_possibly_one_account_refused(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"backend": OTHER_BACKEND}}})
    line = one_problem(found, "delivery.oidc_provider:")
    assert "both create the GitHub OIDC provider" in line and "IAM holds one per account" in line


def test_two_bootstrap_stacks_in_one_known_account_refused(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "backend": {"account_id": "111111111111"},
            "environments": {"dev": {"backend": {**OTHER_BACKEND, "account_id": "111111111111"}}},
        }
    )
    assert "in account 111111111111" in one_problem(found, "delivery.oidc_provider:")


def test_bootstrap_stacks_in_different_accounts_or_existing_provider_accepted(
    config_with: Callable[[Json], PlatformConfig],
) -> None:
    config_with(
        {
            "backend": {"account_id": "111111111111"},
            "environments": {"dev": {"backend": {**OTHER_BACKEND, "account_id": "222222222222"}}},
        }
    )
    config_with({"environments": {"dev": {"backend": OTHER_BACKEND, "delivery": {"oidc_provider": "existing"}}}})


def test_bootstrap_provider_must_be_in_the_environments_account(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"backend": {"account_id": "111111111111"}, "environments": {"prod": {"account_id": "333333333333"}}}
    )
    line = one_problem(found, "environments.prod.delivery.oidc_provider:")
    assert "backend's account 111111111111" in line and "deploys to 333333333333" in line and "[prod]" in line


@pytest.mark.parametrize(
    ("instance_type", "arm"),
    [
        ("t3.nano", False),
        ("t4g.nano", True),
        ("m7g.large", True),
        ("c6gn.large", True),
        ("g5.xlarge", False),
        ("g4dn.xlarge", False),
        ("g5g.xlarge", True),
    ],
)
def test_graviton_families(instance_type: str, arm: bool) -> None:
    assert is_arm(instance_type) is arm


def test_bastion_ami_must_match_the_instance_architecture(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"bastion": {"instance_type": "t4g.nano"}}})
    line = one_problem(found, "defaults.bastion.ami_parameter:")
    assert "al2023-ami-kernel-default-arm64" in line


def test_bastion_without_nat_needs_the_ssm_endpoints(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"environments": {"dev": {"security": {"bastion": True}, "network": {"interface_endpoints": ["logs"]}}}}
    )
    line = one_problem(found, "(security.bastion)")
    assert line.startswith(
        "environments.toml [dev] environments.dev.network.interface_endpoints: lacks ssm, ssmmessages, ec2messages"
    )


def test_bastion_without_nat_but_with_endpoints_accepted(config_with: Callable[[Json], PlatformConfig]) -> None:
    assert config_with({"environments": {"dev": {"security": {"bastion": True}}}}).environment("dev").security.bastion


def test_bad_repository_exits_2_naming_the_key(tmp_path: Path) -> None:
    text = REFERENCE_CONFIG.read_text().replace('repository = "acme/platform"', 'repository = "platform"')
    broken, stderr = main_exits_2(tmp_path, text, name="platform.toml")
    assert f"{broken} defaults.delivery.repository: 'platform' is not a GitHub repository in owner/name form" in stderr
