"""Monitoring and audit config: defaults off, the reference config's choices, and each bad input named by its key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import PlatformConfig
from config.monitoring import AuditConfig, MonitoringConfig
from tests.config.conftest import main_exits_2, one_problem
from tests.conftest import REFERENCE_CONFIG, Json


def test_everything_is_off_by_default() -> None:
    assert not MonitoringConfig().alarms and not MonitoringConfig().dashboard
    assert not AuditConfig().enabled


def test_reference_config_turns_alarms_and_audit_on_in_stg_and_prod(reference_config: PlatformConfig) -> None:
    dev, stg, prod = (reference_config.environment(name) for name in ("dev", "stg", "prod"))
    assert (dev.monitoring.alarms, stg.monitoring.alarms, prod.monitoring.alarms) == (False, True, True)
    assert dev.monitoring.dashboard and stg.monitoring.dashboard and prod.monitoring.dashboard
    assert (dev.audit.enabled, stg.audit.enabled, prod.audit.enabled) == (False, True, True)
    assert prod.audit.object_lock is not None and stg.audit.object_lock is None
    assert stg.monitoring.thresholds.alb_5xx_count == 25 and prod.monitoring.thresholds.alb_5xx_count == 10
    assert prod.monitoring.thresholds.response_time_seconds == 2.0  # seed 001
    assert prod.monitoring.thresholds.response_time_window_seconds == 120


@pytest.mark.parametrize(
    "email", ["oncall", "oncall@", "@example.com", "on call@example.com", "oncall@example", "a@b..com"]
)
def test_email_addresses(problems: Callable[[Json], list[str]], email: str) -> None:
    found = problems({"environments": {"prod": {"monitoring": {"emails": ["ok@example.com", email]}}}})
    line = one_problem(found, "environments.prod.monitoring.emails[1]:")
    assert line.startswith("environments.toml [prod] environments.prod.monitoring.emails[1]: String should match")


def test_the_same_address_twice(problems: Callable[[Json], list[str]]) -> None:
    emails = ["ops@example.com", "OPS@example.com"]
    found = problems({"environments": {"prod": {"monitoring": {"emails": emails}}}})
    assert "is listed twice" in one_problem(found, "environments.prod.monitoring.emails[1]:")


def test_emails_without_alarms(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"monitoring": {"emails": ["ops@example.com"]}}}})
    assert "alarms = true" in one_problem(found, "environments.dev.monitoring.emails:")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ecs_cpu_percent", 0, "greater than 0"),
        ("ecs_memory_percent", 101, "less than or equal to 100"),
        ("db_cpu_percent", 150.5, "less than or equal to 100"),
        ("redis_memory_percent", -5, "greater than 0"),
        ("alb_5xx_count", 0, "greater than or equal to 1"),
        ("db_connections", 0, "greater than or equal to 1"),
        ("redis_evictions", 0, "greater than or equal to 1"),
        ("response_time_seconds", 0, "greater than 0"),
        ("response_time_window_seconds", 30, "greater than or equal to 60"),
        ("response_time_window_seconds", 90, "not a whole number of minutes"),
        ("period_seconds", 120, "Input should be 60, 300, 900 or 3600"),
        ("evaluation_periods", 25, "less than or equal to 24"),
    ],
)
def test_thresholds_out_of_range(problems: Callable[[Json], list[str]], key: str, value: float, message: str) -> None:
    found = problems({"defaults": {"monitoring": {"thresholds": {key: value}}}})
    assert message in one_problem(found, f"defaults.monitoring.thresholds.{key}:")


def test_trail_without_bucket_retention(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"audit": {"enabled": True}}}})
    line = one_problem(found, "environments.dev.audit.bucket_retention_days:")
    assert "is required with enabled = true" in line


def test_object_lock_longer_than_retention(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"audit": {"object_lock": {"days": 2000}}}}})
    assert "longer than bucket_retention_days (1827)" in one_problem(found, "environments.prod.audit.object_lock.days:")


def test_trail_log_retention_must_be_a_cloudwatch_period(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"audit": {"log_retention_days": 100}}}})
    assert "allowed: 1, 3, 5" in one_problem(found, "environments.stg.audit.log_retention_days:")


def test_main_exits_2_naming_each_key(tmp_path: Path) -> None:
    text = REFERENCE_CONFIG.read_text()
    text = text.replace('"oncall@example.com"', '"oncall.example.com"')
    text = text.replace("db_cpu_percent = 80", "db_cpu_percent = 180")
    text = text.replace("bucket_retention_days = 365\n", "")
    broken, stderr = main_exits_2(tmp_path, text)
    assert f"{broken} [prod] environments.prod.monitoring.emails[1]: String should match pattern" in stderr
    assert (
        f"{broken} defaults.monitoring.thresholds.db_cpu_percent: Input should be less than or equal to 100" in stderr
    )
    assert f"{broken} [stg] environments.stg.audit.bucket_retention_days: is required with enabled = true" in stderr
