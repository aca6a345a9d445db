"""What `[project] medical = true` implies for every environment (seed 003: Japanese medical-information guidelines).

The guidelines (MHLW "Guidelines for the Security Management of Medical Information Systems", with the METI/MIC
guidelines for service providers) ask for access records that show who did what and when, kept tamper-evident and
long enough to investigate, and for records that cannot be destroyed by accident. Here that is:

- an audit trail in every environment: CloudTrail (multi-region, log-file validation) kept at least
  MIN_TRAIL_DAYS in its bucket and MIN_LOG_DAYS in CloudWatch Logs;
- the database logs every connection and disconnection and exports its PostgreSQL log, kept MIN_LOG_DAYS;
- nothing is force-deleted: no bucket or repository emptied on destroy, no secret deleted without recovery.

`MEDICAL_DEFAULTS` is merged under every environment's settings, so a medical project gets these without writing
them; `check_medical` refuses an explicit weaker value, naming its key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from config.models import EnvironmentConfig, ProjectConfig

MIN_TRAIL_DAYS = 1827
"""Five years of CloudTrail log files: as long as the Medical Practitioners' Act keeps medical records (art. 24)."""

MIN_LOG_DAYS = 365
"""A year of searchable logs (the trail's and the database's log groups) for investigations."""

MEDICAL_DEFAULTS: dict[str, Any] = {
    "audit": {"enabled": True, "bucket_retention_days": MIN_TRAIL_DAYS, "log_retention_days": MIN_LOG_DAYS},
    "database": {"log_connections": True, "log_retention_days": MIN_LOG_DAYS},
}
"""Settings a medical project's environments get unless they set them (and `check_medical` accepts the value)."""


def check_medical(project: ProjectConfig, environment: EnvironmentConfig) -> list[tuple[str, str]]:
    """Every setting of `environment` weaker than the medical mark allows, as (key path, message)."""
    if not project.medical:
        return []
    return [(key, f"{problem}, refused because project.medical = true") for key, problem in _weaker(environment)]


def _weaker(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    audit = environment.audit
    if not audit.enabled:
        yield "audit.enabled", "false leaves the environment without an audit trail (CloudTrail)"
    elif audit.bucket_retention_days is not None and audit.bucket_retention_days < MIN_TRAIL_DAYS:
        yield "audit.bucket_retention_days", f"{audit.bucket_retention_days} is below {MIN_TRAIL_DAYS} days"
    if audit.enabled and audit.log_retention_days < MIN_LOG_DAYS:
        yield "audit.log_retention_days", f"{audit.log_retention_days} is below {MIN_LOG_DAYS} days"
    database = environment.database
    if database.enabled:
        if not database.log_connections:
            yield "database.log_connections", "false leaves connections and disconnections unlogged"
        if "postgresql" not in database.log_exports:
            yield "database.log_exports", f"{list(database.log_exports)} does not export the 'postgresql' log"
        if database.log_retention_days < MIN_LOG_DAYS:
            yield "database.log_retention_days", f"{database.log_retention_days} is below {MIN_LOG_DAYS} days"
    if environment.registry.force_delete:
        yield "registry.force_delete", "true deletes repositories with their images on destroy"
    load_balancer = environment.load_balancer
    if load_balancer is not None and load_balancer.access_logs.force_destroy:
        yield "load_balancer.access_logs.force_destroy", "true empties the access-log bucket on destroy"
    security = environment.security
    if security.secret_recovery_days == 0:
        yield "security.secret_recovery_days", "0 deletes secrets beyond recovery on destroy"
    for name, secret in security.secrets.items():
        if secret.recovery_window_days == 0:
            yield f"security.secrets.{name}.recovery_window_days", "0 deletes this secret beyond recovery on destroy"
