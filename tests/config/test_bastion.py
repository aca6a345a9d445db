"""Bastion session logging in config: the reference turns it on where the bastion exists; bad values name the key."""

from __future__ import annotations

from collections.abc import Callable

from config import PlatformConfig
from tests.config.conftest import one_problem
from tests.conftest import Json


def test_reference_logs_sessions_where_there_is_a_bastion(reference_config: PlatformConfig) -> None:
    for name, retention in (("stg", 90), ("prod", 365)):
        environment = reference_config.environment(name)
        assert environment.security.bastion and environment.bastion.session_logging
        assert environment.bastion.session_log_retention_days == retention
    assert not reference_config.environment("dev").security.bastion


def test_retention_must_be_a_cloudwatch_period(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"bastion": {"session_log_retention_days": 45}}}})
    line = one_problem(found, "environments.prod.bastion.session_log_retention_days:")
    assert "45 is not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7" in line


def test_idle_timeout_is_one_to_sixty_minutes(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"bastion": {"idle_session_timeout_minutes": 61}}})
    assert "less than or equal to 60" in one_problem(found, "defaults.bastion.idle_session_timeout_minutes:")


def test_a_project_name_ssm_refuses_as_a_document_prefix(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"project": {"name": "aws-shop"}})
    line = one_problem(found, "SSM session document")
    assert "'aws-shop-stg-session'" in line or "'aws-shop-prod-session'" in line
    assert "starts with aws, amazon or amzn, which SSM refuses" in line


def test_the_reserved_prefix_does_not_matter_without_session_logging(
    config_with: Callable[[Json], PlatformConfig],
) -> None:
    config = config_with({"project": {"name": "amzn-shop"}, "defaults": {"bastion": {"session_logging": False}}})
    assert config.project.name == "amzn-shop"
