"""Checks across sections for buckets, queues and Batch: every bucket or queue a service, Batch job or Lambda function
names exists, the variables that carry their names collide with nothing, jobs run images the registry holds, names
fit AWS's rules.

Problems are (key path relative to the environment, message), like config/references.py, which calls
`check_storage`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from config import names
from config.batch import batch_role_names
from config.models import EnvironmentConfig, ProjectConfig
from config.services import METRIC_VARIABLES
from config.storage import QUEUE_NAME_LIMIT, bucket_name, bucket_variable, queue_name, queue_variable

Problem = tuple[str, str]


def check_storage(environment: EnvironmentConfig, project: ProjectConfig | None) -> list[Problem]:
    """Every storage, queue and Batch problem of one environment (names only when the project validated)."""
    problems = [*_service_access(environment), *_function_access(environment), *_batch(environment)]
    if project is not None:
        problems += _names(environment, names.prefix(project.name, environment.name))
    return problems


def _service_access(environment: EnvironmentConfig) -> Iterator[Problem]:
    for name, service in environment.enabled_services.items():
        taken = set(service.environment) | set(service.secrets)
        if service.autoscaling is not None and service.autoscaling.custom_metric is not None:
            taken |= set(METRIC_VARIABLES.values())
        yield from _access(environment, f"services.{name}", service.buckets, service.queues, taken)


def _function_access(environment: EnvironmentConfig) -> Iterator[Problem]:
    if not environment.api.enabled:
        return
    for name, function in sorted(environment.api.functions.items()):
        yield from _access(
            environment, f"api.functions.{name}", function.buckets, function.queues, set(function.environment)
        )


def _access(
    environment: EnvironmentConfig,
    path: str,
    buckets: Mapping[str, str],
    queues: Mapping[str, str],
    taken: set[str],
) -> Iterator[Problem]:
    """Unknown or disabled buckets and queues, and their variables clashing with variables set otherwise."""
    for kind, named, declared, variable in (
        ("bucket", buckets, environment.storage, bucket_variable),
        ("queue", queues, environment.queues, queue_variable),
    ):
        table = "storage" if kind == "bucket" else "queues"
        for key in sorted(named):
            where = f"{path}.{table}.{key}" if table == "queues" else f"{path}.buckets.{key}"
            config = declared.get(key)
            if config is None:
                known = ", ".join(sorted(declared)) or "none"
                yield where, f"unknown {kind} '{key}'; declare it in [{table}.{key}] (declared: {known})"
            elif not config.enabled:
                yield where, f"{kind} '{key}' is disabled in this environment ({table}.{key}.enabled = false)"
            elif variable(key) in taken:
                yield (
                    where,
                    f"the platform sets {variable(key)} to the {kind}'s {'name' if kind == 'bucket' else 'URL'}, "
                    "but it is also set in environment or secrets; remove it there",
                )


def _batch(environment: EnvironmentConfig) -> Iterator[Problem]:
    batch = environment.batch
    if not batch.enabled:
        return
    repositories = set(environment.enabled_services) | set(environment.registry.extra_repositories)
    for key, job in sorted(batch.jobs.items()):
        path = f"batch.jobs.{key}"
        if job.repository not in repositories:
            yield (
                f"{path}.repository",
                f"no ECR repository '{job.repository}' in this environment; name an enabled service or add it to "
                f"registry.extra_repositories (repositories: {', '.join(sorted(repositories)) or 'none'})",
            )
        elif job.image_tag is None and job.repository not in environment.enabled_services:
            yield (
                f"{path}.image_tag",
                f"'{job.repository}' is not a service's repository, so no deployed tag is known; set image_tag",
            )
        yield from _access(environment, path, job.buckets, job.queues, set(job.environment))
    for index, store in enumerate(batch.data_access):
        section = environment.database if store == "database" else environment.cache
        if not section.enabled:
            yield f"batch.data_access[{index}]", f"'{store}' is not enabled in this environment ({store}.enabled)"


def _names(environment: EnvironmentConfig, prefix: str) -> Iterator[Problem]:
    if environment.batch.enabled:
        for key in sorted(environment.batch.jobs):
            role = batch_role_names(prefix, key)[0]
            if len(role) > names.IAM_ROLE_LIMIT:
                yield (
                    f"batch.jobs.{key}",
                    f"gives the IAM role name {role!r} ({len(role)} characters); IAM allows {names.IAM_ROLE_LIMIT}: "
                    "shorten the key",
                )
    for key in environment.enabled_buckets:
        problem = names.bucket_name_problem(bucket_name(prefix, key))
        if problem is not None:
            yield f"storage.{key}", f"{problem}; shorten the key"
    for key, queue in environment.enabled_queues.items():
        longest = queue_name(prefix, key, fifo=queue.fifo, dead_letter=True)
        if len(longest) > QUEUE_NAME_LIMIT:
            yield (
                f"queues.{key}",
                f"gives the dead-letter queue name {longest!r} ({len(longest)} characters); SQS allows "
                f"{QUEUE_NAME_LIMIT}: shorten the key",
            )
