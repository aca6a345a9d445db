"""Batch layer: AWS Batch on Fargate in the private subnets (seed 003), after compute; absent without `[batch]`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from modules.batch import Batch, JobWiring
from stacks.layers.access import resolve_access
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.registry import RegistryOutputs
from stacks.layers.secrets import SecretsOutputs
from stacks.layers.security import SecurityOutputs
from stacks.layers.service_secrets import resolve_references
from stacks.layers.stack_output import StackOutput
from stacks.layers.storage import StorageOutputs


@dataclass(frozen=True)
class BatchOutputs:
    """The job queue jobs are submitted to, and per job key its definition name and the role it runs as."""

    job_queue_name: str
    job_definition_names: Mapping[str, str]
    job_role_arns: Mapping[str, str]
    wiring: Mapping[str, JobWiring]
    """Per job, what its definition and roles were built from (for tests)."""


def batch_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
    data: DataOutputs,
    secrets: SecretsOutputs,
    registry: RegistryOutputs,
    storage: StorageOutputs,
) -> BatchOutputs | None:
    """The compute environment behind the security layer's Batch group; each job uses exactly what it names:
    buckets and queues through its job role, secrets (as ARNs) through its execution role."""
    config = env.config.batch
    if not config.enabled:
        return None
    assert security.batch_security_group_id is not None
    wiring = {}
    for key, job in sorted(config.jobs.items()):
        access = resolve_access(buckets=job.buckets, queues=job.queues, storage=storage, region=env.region)
        resolved = resolve_references(job.secrets, secrets, data)
        tag = job.image_tag or registry.deployed_tags.get(job.repository)
        tag = tag or env.config.enabled_services[job.repository].image_tag
        assert tag is not None, "a service pins image_tag or CI deploys it (config.storage_checks)"
        wiring[key] = JobWiring(
            image_tag=tag,
            image_repository_url=registry.repository_urls[job.repository],
            repository_arn=registry.repository_arns[job.repository],
            grants=access.grants,
            environment=access.environment,
            secrets=resolved.value_from,
            secret_arns=resolved.secret_arns,
            parameter_arns=resolved.parameter_arns,
        )
    batch = Batch(
        scope,
        "batch",
        name=env.prefix,
        environment=env.config.name,
        region=env.region,
        config=config,
        jobs=wiring,
        subnet_ids=network.private_subnet_ids,
        security_group_id=security.batch_security_group_id,
        kms_key_arn=encryption.kms_key_arn,
        account_id=account.account_id,
        partition=account.partition,
    )
    return BatchOutputs(
        job_queue_name=batch.job_queue_name,
        job_definition_names=dict(batch.job_definition_names),
        job_role_arns=dict(batch.job_role_arns),
        wiring=wiring,
    )


def batch_outputs(batch: BatchOutputs | None) -> list[StackOutput]:
    """The job queue and job definition names, when the environment runs Batch."""
    if batch is None:
        return []
    return [
        StackOutput(
            "batch", "batch_job_queue_name", batch.job_queue_name, "AWS Batch job queue the application submits to"
        ),
        StackOutput(
            "batch",
            "batch_job_definition_names",
            dict(batch.job_definition_names),
            "AWS Batch job definition name per job key (submissions use its latest revision)",
        ),
    ]
