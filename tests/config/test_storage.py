"""Config of application buckets, queues and Batch: defaults off, the reference config's toggles, bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config import PlatformConfig
from config.storage import bucket_variable, origin_problem, queue_variable
from tests.config.conftest import one_problem
from tests.conftest import Json


def test_every_part_is_off_by_default(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({})
    stg = config.environment("stg")
    assert stg.enabled_buckets and stg.enabled_queues and stg.batch.enabled
    dev = config.environment("dev")
    assert set(dev.enabled_buckets) == {"uploads", "assets"}
    assert dev.enabled_queues == {} and not dev.batch.enabled  # seed 003: dev has no SQS and no Batch
    from config.models import EnvironmentConfig

    fields = EnvironmentConfig.model_fields
    assert fields["storage"].default_factory is not None and fields["queues"].default_factory is not None
    assert fields["batch"].default.enabled is False


def test_variables_carry_the_key() -> None:
    assert bucket_variable("user-resources") == "USER_RESOURCES_BUCKET"
    assert queue_variable("mailer") == "MAILER_QUEUE_URL"


@pytest.mark.parametrize(
    "origin", ["https://app.example.jp", "http://localhost:4200", "https://*.example.jp", "https://a.b.example.jp:8443"]
)
def test_origins_are_accepted(origin: str) -> None:
    assert origin_problem(origin) is None


@pytest.mark.parametrize(
    "origin",
    [
        "app.example.jp",
        "https://app.example.jp/",
        "https://app.example.jp/path",
        "*",
        "ftp://app.example.jp",
        "https://App.example.jp",
        "https://app.example.jp:99999",
    ],
)
def test_cors_origins_that_are_not_origins(problems: Callable[[Json], list[str]], origin: str) -> None:
    found = problems(
        {"environments": {"stg": {"storage": {"uploads": {"cors_origins": ["https://ok.example.jp", origin]}}}}}
    )
    line = one_problem(found, "storage.uploads.cors_origins[1]:")
    assert line.startswith("environments.toml [stg] environments.stg.storage.uploads.cors_origins[1]:")
    assert repr(origin) in line and ("not an origin" in line or "outside 1-65535" in line)


def test_lifecycle_days_out_of_order(problems: Callable[[Json], list[str]]) -> None:
    lifecycle = {"infrequent_access_after_days": 180, "expire_after_days": 180}
    found = problems({"defaults": {"storage": {"assets": {"lifecycle": lifecycle}}}})
    line = one_problem(found, "storage.assets.lifecycle.expire_after_days:")
    assert line.startswith("environments.toml defaults.storage.assets.lifecycle.expire_after_days: 180 is not after")


def test_infrequent_access_before_thirty_days(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"storage": {"assets": {"lifecycle": {"infrequent_access_after_days": 7}}}}})
    assert "greater than or equal to 30" in one_problem(found, "storage.assets.lifecycle.infrequent_access_after_days")


def test_queue_referenced_but_not_declared(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"services": {"api": {"queues": {"billing": "send"}}}}}})
    line = one_problem(found, "services.api.queues.billing:")
    assert line == (
        "environments.toml [prod] environments.prod.services.api.queues.billing: unknown queue 'billing'; "
        "declare it in [queues.billing] (declared: mailer)"
    )


def test_queue_disabled_where_a_service_names_it(problems: Callable[[Json], list[str]]) -> None:
    # dev disables the mailer queue; the worker that receives from it is enabled there now
    found = problems({"environments": {"dev": {"services": {"worker": {"enabled": True}}}}})
    line = one_problem(found, "services.worker.queues.mailer:")
    assert "[dev]" in line and "queue 'mailer' is disabled in this environment" in line


def test_bucket_referenced_but_not_declared(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"web": {"buckets": {"media": "read"}}}}})
    line = one_problem(found, "services.web.buckets.media:")
    assert "unknown bucket 'media'; declare it in [storage.media] (declared: assets, uploads)" in line


def test_batch_job_queue_not_declared(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"batch": {"jobs": {"fastapi_default": {"queues": {"line": "send"}}}}}})
    line = one_problem(found, "batch.jobs.fastapi_default.queues.line:")
    assert "unknown queue 'line'" in line


@pytest.mark.parametrize("access", ["write", "readwrite", "send_receive"])
def test_unknown_access_mode(problems: Callable[[Json], list[str]], access: str) -> None:
    found = problems({"defaults": {"services": {"api": {"buckets": {"uploads": access}, "queues": {}}}}})
    line = one_problem(found, "defaults.services.api.buckets.uploads:")
    assert "'read'" in line and "'read-write'" in line


def test_platform_variable_also_set_by_the_service(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"api": {"environment": {"UPLOADS_BUCKET": "mine"}}}}})
    line = one_problem(found, "services.api.buckets.uploads:")
    assert "the platform sets UPLOADS_BUCKET" in line


def test_batch_job_repository_must_exist(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"batch": {"jobs": {"fastapi_default": {"repository": "reports"}}}}})
    line = one_problem(found, "batch.jobs.fastapi_default.repository:")
    assert "no ECR repository 'reports'" in line and "registry.extra_repositories" in line


def test_batch_job_from_an_extra_repository_needs_a_tag(
    problems: Callable[[Json], list[str]], config_with: Callable[[Json], PlatformConfig]
) -> None:
    override: Json = {
        "defaults": {
            "registry": {"extra_repositories": ["reports"]},
            "batch": {"jobs": {"fastapi_default": {"repository": "reports"}}},
        }
    }
    line = one_problem(problems(override), "batch.jobs.fastapi_default.image_tag:")
    assert "set image_tag" in line
    override["defaults"]["batch"]["jobs"]["fastapi_default"]["image_tag"] = "v1"
    assert config_with(override).environment("prod").batch.jobs["fastapi_default"].image_tag == "v1"


@pytest.mark.parametrize(("vcpu", "memory", "key"), [(0.3, 512, "vcpu"), (0.25, 4096, "memory")])
def test_batch_job_fargate_sizes(problems: Callable[[Json], list[str]], vcpu: float, memory: int, key: str) -> None:
    found = problems({"defaults": {"batch": {"jobs": {"fastapi_default": {"vcpu": vcpu, "memory": memory}}}}})
    assert one_problem(found, f"defaults.batch.jobs.fastapi_default.{key}:")


def test_batch_data_access_needs_the_store(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"database": {"enabled": False}}}})
    line = one_problem(found, "batch.data_access[0]:")
    assert "'database' is not enabled" in line


def test_dead_letter_retention_shorter_than_the_queue(problems: Callable[[Json], list[str]]) -> None:
    queue = {"message_retention_seconds": 86400, "dead_letter_retention_seconds": 3600}
    found = problems({"defaults": {"queues": {"mailer": queue}}})
    assert "expire early" in one_problem(found, "defaults.queues.mailer.dead_letter_retention_seconds:")


def test_bucket_name_too_long(problems: Callable[[Json], list[str]]) -> None:
    key = "a" * 32  # with a 24-character project name: 24 + len("-prod-") + 32 = 62 characters in prod, 63 allowed
    assert not [
        line
        for line in problems({"project": {"name": "p" * 24}, "defaults": {"storage": {key: {}}}, "x": 1})
        if key in line
    ]
    found = problems({"project": {"name": "p" * 26}, "defaults": {"storage": {key: {}}}})
    line = one_problem(found, f"storage.{key}:")
    assert "not an S3 bucket name: 3-63 characters" in line and "[prod]" in line


def test_batch_role_name_too_long(problems: Callable[[Json], list[str]]) -> None:
    key = "j" * 39  # acme-prod-batch-<39>-execution is 65 characters (stg: 64), IAM allows 64
    found = problems({"defaults": {"batch": {"jobs": {key: {"repository": "api"}}}}})
    line = one_problem(found, f"batch.jobs.{key}:")
    assert "IAM allows 64" in line and "[prod]" in line


def test_function_bucket_not_declared(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"api": {"functions": {"items": {"buckets": {"media": "read"}}}}}})
    line = one_problem(found, "[stg, prod] defaults.api.functions.items.buckets.media:")
    assert line == (
        "environments.toml [stg, prod] defaults.api.functions.items.buckets.media: unknown bucket 'media'; "
        "declare it in [storage.media] (declared: assets, uploads)"
    )


def test_function_queue_disabled_where_the_api_runs(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"queues": {"mailer": {"enabled": False}}}}})
    line = one_problem(found, "[stg] defaults.api.functions.items.queues.mailer:")
    assert "queue 'mailer' is disabled in this environment (queues.mailer.enabled = false)" in line


def test_function_access_is_not_checked_where_the_api_is_off(config_with: Callable[[Json], PlatformConfig]) -> None:
    # dev disables the mailer queue the reference function names, and has no API
    dev = config_with({}).environment("dev")
    assert not dev.api.enabled and "mailer" not in dev.enabled_queues


def test_function_variable_also_set_by_the_function(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"api": {"functions": {"items": {"environment": {"MAILER_QUEUE_URL": "x"}}}}}})
    line = one_problem(found, "[stg, prod] defaults.api.functions.items.queues.mailer:")
    assert "the platform sets MAILER_QUEUE_URL to the queue's URL" in line


@pytest.mark.parametrize("access", ["write", "receive-send"])
def test_function_unknown_access_mode(problems: Callable[[Json], list[str]], access: str) -> None:
    found = problems({"defaults": {"api": {"functions": {"items": {"queues": {"mailer": access}}}}}})
    line = one_problem(found, "defaults.api.functions.items.queues.mailer:")
    assert "'send', 'receive' or 'send-receive'" in line
