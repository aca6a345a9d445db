"""Batch job secrets in config: the same references as a service's, checked the same way, with the job's key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from config import PlatformConfig
from tests.config.conftest import one_problem
from tests.conftest import REFERENCE_CONFIG, Json
from tests.test_main import run_main


def test_reference_jobs_read_database_credentials_and_an_app_secret(reference_config: PlatformConfig) -> None:
    for name in ("stg", "prod"):
        job = reference_config.environment(name).batch.jobs["fastapi_default"]
        assert job.secrets == {
            "DB_USER": "db:username",
            "DB_PASSWORD": "db:password",
            "JWT_SECRET": "secret:jwt-secret",
        }
    assert not reference_config.environment("dev").batch.enabled


def test_unknown_secret_of_a_job_names_the_job_key_path(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"batch": {"jobs": {"fastapi_default": {"secrets": {"TOKEN": "secret:nope"}}}}}})
    line = one_problem(found, "batch.jobs.fastapi_default.secrets.TOKEN")
    assert line == (
        "environments.toml [stg, prod] defaults.batch.jobs.fastapi_default.secrets.TOKEN: unknown secret 'nope'; "
        "declare it in [security.secrets] (declared: api-token, jwt-secret)"
    )


def test_unknown_parameter_and_bad_database_key_of_a_job(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "environments": {
                "prod": {"batch": {"jobs": {"fastapi_default": {"secrets": {"L": "ssm:x", "H": "db:host"}}}}}
            }
        }
    )
    assert "unknown parameter 'x'" in one_problem(found, "environments.prod.batch.jobs.fastapi_default.secrets.L:")
    assert "the master secret has the keys username, password" in one_problem(
        found, "environments.prod.batch.jobs.fastapi_default.secrets.H:"
    )


def test_a_job_reading_the_database_needs_it(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"database": {"enabled": False}}}})
    line = one_problem(found, "batch.jobs.fastapi_default.secrets.DB_PASSWORD")
    assert "'db:password' reads the database master secret, but database.enabled is false" in line


def test_secrets_of_a_disabled_batch_are_not_checked(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {"environments": {"dev": {"batch": {"jobs": {"fastapi_default": {"secrets": {"T": "secret:nope"}}}}}}}
    )
    assert not config.environment("dev").batch.enabled


def test_main_exits_2_with_the_key_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = REFERENCE_CONFIG.read_text()
    broken.write_text(
        text.replace(
            'JWT_SECRET = "secret:jwt-secret" }\n\n[defaults.services.api.buckets]',
            'JWT_SECRET = "secret:jwt" }\n\n[defaults.services.api.buckets]',
        )
    )
    assert broken.read_text() != text
    result = run_main("--config", str(broken), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        f"{broken} [stg, prod] defaults.batch.jobs.fastapi_default.secrets.JWT_SECRET: unknown secret 'jwt'"
        in result.stderr
    )
