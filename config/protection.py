"""What a protected environment refuses: settings that lose data or let a careless command delete it.

An environment is protected when `[environments.<env>.protection] enabled` is true, by default prod only
(`EnvironmentConfig.protected`). Each unsafe setting is reported on its own key, with the way to keep it on
purpose: list the key in `protection.allow` of that environment.
"""

from __future__ import annotations

from collections.abc import Iterator

from config.models import EnvironmentConfig

MIN_PROTECTED_BACKUP_DAYS = 7
"""Backup retention floor of a protected database.

Seven days is the AWS default for new databases and the minimum of the AWS Security Hub control RDS.11
(`backupRetentionMinimum`, default 7): a problem found after a long weekend or a week's release cycle can still be
rolled back with point-in-time recovery. Fewer days are refused unless acknowledged.
"""


def check_protection(environment: EnvironmentConfig) -> list[tuple[str, str]]:
    """Every unsafe setting of a protected environment not acknowledged in `protection.allow`, as (key, message)."""
    if not environment.protected:
        return []
    allowed = set(environment.protection.allow)
    return [
        (path, _message(environment.name, setting, problem))
        for setting, path, problem in _unsafe(environment)
        if setting not in allowed
    ]


def _unsafe(environment: EnvironmentConfig) -> Iterator[tuple[str, str, str]]:
    """(setting as `protection.allow` names it, key path where it is written, what it does) of each unsafe value."""
    database = environment.database
    if database.enabled:
        if not database.deletion_protection:
            key = "database.deletion_protection"
            yield key, key, "false lets any API call or `destroy` delete the database"
        if database.skip_final_snapshot:
            key = "database.skip_final_snapshot"
            yield key, key, "true deletes the database without a final snapshot"
        if database.backup_retention_days < MIN_PROTECTED_BACKUP_DAYS:
            key = "database.backup_retention_days"
            yield (
                key,
                key,
                f"{database.backup_retention_days} is below the {MIN_PROTECTED_BACKUP_DAYS}-day point-in-time "
                "recovery floor",
            )
    load_balancer = environment.load_balancer
    if load_balancer is not None and not load_balancer.deletion_protection:
        key = "load_balancer.deletion_protection"
        yield key, key, "false lets any API call or `destroy` delete the load balancer"
    security = environment.security
    recovery = "security.secret_recovery_days"
    if security.secret_recovery_days == 0:
        yield (
            recovery,
            recovery,
            f"0 deletes {environment.name}'s secrets beyond recovery on destroy (keep them 7 to 30 days)",
        )
    for name, secret in security.secrets.items():
        if secret.recovery_window_days == 0:
            yield (
                recovery,
                f"security.secrets.{name}.recovery_window_days",
                "0 deletes this secret beyond recovery on destroy (keep it 7 to 30 days)",
            )


def _message(environment: str, key: str, problem: str) -> str:
    """The full message of one refused setting: what it does, and the two ways out."""
    return (
        f"{problem}, refused in protected environment {environment}; change it, or keep it on purpose with "
        f'protection.allow = ["{key}"] in [environments.{environment}] (or protection.enabled = false)'
    )
