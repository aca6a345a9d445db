"""`[project] medical = true`: the implied settings reach every environment, weaker explicit ones are refused."""

from __future__ import annotations

from collections.abc import Callable

from config import PlatformConfig
from config.medical import MIN_LOG_DAYS, MIN_TRAIL_DAYS
from tests.config.conftest import one_problem
from tests.conftest import Json

MEDICAL: Json = {"project": {"medical": True}}
"""The reference config marked medical, with the two settings it refuses made acceptable."""
ACCEPTABLE: Json = {
    "project": {"medical": True},
    "environments": {
        "dev": {"security": {"secret_recovery_days": 7}},
        "stg": {"audit": {"bucket_retention_days": MIN_TRAIL_DAYS, "log_retention_days": MIN_LOG_DAYS}},
    },
}


def test_unmarked_project_keeps_each_environments_own_settings(reference_config: PlatformConfig) -> None:
    assert not reference_config.project.medical
    dev = reference_config.environment("dev")
    assert not dev.audit.enabled
    assert not dev.database.log_connections and dev.database.log_retention_days == 30
    assert dev.security.secret_recovery_days == 0


def test_medical_turns_the_audit_settings_on_in_every_environment(
    config_with: Callable[[Json], PlatformConfig],
) -> None:
    config = config_with(ACCEPTABLE)
    for environment in config.environments:
        assert environment.audit.enabled, environment.name
        assert environment.audit.bucket_retention_days is not None
        assert environment.audit.bucket_retention_days >= MIN_TRAIL_DAYS
        assert environment.audit.log_retention_days >= MIN_LOG_DAYS
        assert environment.database.log_connections
        assert "postgresql" in environment.database.log_exports
        assert environment.database.log_retention_days >= MIN_LOG_DAYS
    dev = config.environment("dev")
    assert (dev.audit.bucket_retention_days, dev.audit.log_retention_days) == (MIN_TRAIL_DAYS, MIN_LOG_DAYS)
    prod = config.environment("prod")
    assert prod.audit.object_lock is not None  # what an environment sets itself stays


def test_medical_refuses_weaker_explicit_settings(problems: Callable[[Json], list[str]]) -> None:
    found = problems(MEDICAL)
    assert one_problem(found, "environments.dev.security.secret_recovery_days:").endswith(
        "0 deletes secrets beyond recovery on destroy, refused because project.medical = true"
    )
    assert f"365 is below {MIN_TRAIL_DAYS} days" in one_problem(found, "environments.stg.audit.bucket_retention_days:")
    assert f"90 is below {MIN_LOG_DAYS} days" in one_problem(found, "environments.stg.audit.log_retention_days:")
    assert len(found) == 3, found


def test_medical_refuses_each_way_around_it(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            **ACCEPTABLE,
            "defaults": {
                "audit": {"enabled": False},
                "database": {"log_connections": False, "log_exports": [], "log_retention_days": 30},
                "registry": {"force_delete": True},
                "load_balancer": {"access_logs": {"force_destroy": True}},
                "security": {"secrets": {"api-token": {"recovery_window_days": 0}}},
            },
        }
    )
    medical = [line for line in found if line.endswith("refused because project.medical = true")]
    for key in (
        "database.log_connections",
        "database.log_exports",
        "database.log_retention_days",
        "registry.force_delete",
        "load_balancer.access_logs.force_destroy",
        "security.secrets.api-token.recovery_window_days",
    ):
        assert one_problem(medical, f"defaults.{key}:")
    # dev and prod do not set audit themselves, so [defaults] switching it off is the one problem they share.
    assert "without an audit trail" in one_problem(medical, "defaults.audit.enabled:")
