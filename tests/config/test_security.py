"""Per-environment security settings: the secrets' recovery window and the SSM parameter prefix."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from config import PlatformConfig, build_config
from config.loader import deep_merge
from tests.conftest import Json


def test_recovery_window_per_environment(reference_config: PlatformConfig) -> None:
    dev, stg, prod = (reference_config.environment(name).security for name in ("dev", "stg", "prod"))
    assert (dev.secret_recovery_days, stg.secret_recovery_days, prod.secret_recovery_days) == (0, 7, 7)
    assert dev.recovery_window("jwt-secret") == 0 and prod.recovery_window("jwt-secret") == 7


def test_a_secret_may_keep_its_own_window(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {"environments": {"dev": {"security": {"secrets": {"jwt-secret": {"recovery_window_days": 30}}}}}}
    )
    security = config.environment("dev").security
    assert (security.recovery_window("jwt-secret"), security.recovery_window("api-token")) == (30, 0)


@pytest.mark.parametrize("days", [1, 6, 31])
def test_recovery_window_range(problems: Callable[[Json], list[str]], days: int) -> None:
    found = problems({"environments": {"stg": {"security": {"secret_recovery_days": days}}}})
    assert any(
        f"[stg] environments.stg.security.secret_recovery_days: {days} is not allowed; Secrets Manager takes 0" in line
        for line in found
    ), found


def test_prod_refuses_deleting_secrets_at_once(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "environments": {
                "prod": {"security": {"secret_recovery_days": 0, "secrets": {"api-token": {"recovery_window_days": 0}}}}
            }
        }
    )
    assert any("[prod] environments.prod.security.secret_recovery_days: 0 deletes prod's secrets" in p for p in found)
    assert any(
        "[prod] environments.prod.security.secrets.api-token.recovery_window_days: 0 deletes" in p for p in found
    )


def test_recovery_floor_follows_the_protection_switch(
    problems: Callable[[Json], list[str]], reference_document: Json
) -> None:
    """Protected is the environment's switch, not its name: a protected stg refuses 0, an acknowledged one accepts."""
    protected_stg = {"secret_recovery_days": 0}
    found = problems({"environments": {"stg": {"security": protected_stg, "protection": {"enabled": True}}}})
    assert any("[stg] environments.stg.security.secret_recovery_days: 0 deletes stg's secrets" in p for p in found)
    acknowledged = {"enabled": True, "allow": ["security.secret_recovery_days"]}
    found = problems({"environments": {"stg": {"security": protected_stg, "protection": acknowledged}}})
    assert not any("secret_recovery_days" in p for p in found), found
    unprotected = deep_merge(copy.deepcopy(reference_document), {"environments": {"stg": {"security": protected_stg}}})
    assert build_config(unprotected, "environments.toml").environment("stg").security.secret_recovery_days == 0


def test_parameter_prefix_defaults_to_project_and_environment(reference_config: PlatformConfig) -> None:
    from config.names import parameter_prefix

    for environment in reference_config.environments:
        configured = environment.security.parameter_prefix
        assert configured is None
        assert parameter_prefix("acme", environment.name, configured) == f"/acme/{environment.name}"
    assert parameter_prefix("acme", "dev", "/dev") == "/dev"


def test_backends_sharing_a_bucket_must_share_the_lock_table(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"backend": {"lock_table": "acme-prod-locks"}}}})
    assert any(
        "[prod] environments.prod.backend.lock_table: 'acme-prod-locks' differs from dev's 'acme-terraform-locks', "
        "but both keep state in the bucket 'acme-terraform-state-apne1'" in line
        for line in found
    ), found


def test_backend_with_its_own_bucket_and_table_is_fine(config_with: Callable[[Json], PlatformConfig]) -> None:
    from stacks.app import backend_groups

    # both backends may be in one account, so only one bootstrap stack may own the GitHub OIDC provider
    config = config_with(
        {
            "environments": {
                "prod": {
                    "backend": {"bucket": "acme-prod-state", "lock_table": "acme-prod-locks"},
                    "delivery": {"oidc_provider": "existing"},
                }
            }
        }
    )
    assert [(group.stack_id, group.environments) for group in backend_groups(config)] == [
        ("bootstrap", ("dev", "stg")),
        ("bootstrap-prod", ("prod",)),
    ]
