"""AWS Batch on Fargate: a compute environment in the private subnets, one job queue and the job definitions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.batch_compute_environment import (
    BatchComputeEnvironment,
    BatchComputeEnvironmentComputeResources,
)
from cdktf_cdktf_provider_aws.batch_job_definition import (
    BatchJobDefinition,
    BatchJobDefinitionRetryStrategy,
    BatchJobDefinitionTimeout,
)
from cdktf_cdktf_provider_aws.batch_job_queue import BatchJobQueue, BatchJobQueueComputeEnvironmentOrder
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from config.batch import BatchConfig, BatchJobConfig, batch_role_names
from modules.iam import PolicyGrant, secret_read_statements, service_trust_policy
from modules.security.roles import ECR_PULL


def job_queue_name(environment: str) -> str:
    """The job queue the application submits to: `{env}_default` (seed 003's aws_caller.py)."""
    return f"{environment}_default"


def job_definition_name(environment: str, key: str) -> str:
    """A job definition's name: `{env}_<key>_job` (seed 003: `{env}_fastapi_default_job`)."""
    return f"{environment}_{key}_job"


def job_log_group_name(name: str, key: str) -> str:
    """The log group of one job definition's containers."""
    return f"/aws/batch/{name}/{key.replace('_', '-')}"


@dataclass(frozen=True)
class JobWiring:
    """What one job definition is handed by the layers below it, resolved to ARNs and URLs."""

    image_repository_url: str
    repository_arn: str
    image_tag: str
    """The tag to run: the config's, or a reference to the tag CI deployed for the service of that repository."""
    grants: Sequence[PolicyGrant] = ()
    """The job role's grants (the buckets and queues the job names)."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Variables the platform sets besides the config's (bucket names, queue URLs)."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Container secrets: variable -> `valueFrom` (a Secrets Manager or SSM parameter ARN, never a value)."""
    secret_arns: Sequence[str] = ()
    """Secrets Manager secrets the execution role reads to inject `secrets`."""
    parameter_arns: Sequence[str] = ()
    """SSM parameters the execution role reads to inject `secrets`."""


def secret_statements(wiring: JobWiring, *, region: str, kms_key_arn: str) -> list[DataAwsIamPolicyDocumentStatement]:
    """What the execution role needs to inject the job's secrets (modules/iam.py `secret_read_statements`)."""
    return secret_read_statements(
        secret_arns=wiring.secret_arns, parameter_arns=wiring.parameter_arns, kms_key_arn=kms_key_arn, region=region
    )


class Batch(Construct):
    """A managed Fargate (or Fargate Spot) compute environment, the job queue `{env}_default`, and per job a
    definition with its execution role (image pull, logs, exactly its secrets), job role (exactly its grants) and
    KMS-encrypted logs. Secrets reach the container as `secrets` (`valueFrom` ARNs) when a job starts: a rotated
    secret reaches jobs started after the rotation, not running ones.

    Batch manages the compute environment through its service-linked role (created by AWS on first use), so no
    service role is passed. Jobs run in the private subnets without a public IP, behind `security_group_id`.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        environment: str,
        region: str,
        config: BatchConfig,
        jobs: Mapping[str, JobWiring],
        subnet_ids: Sequence[str],
        security_group_id: str,
        kms_key_arn: str,
        account_id: str,
        partition: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        missing = sorted(set(config.jobs) - set(jobs))
        if missing:
            raise ValueError(f"Batch jobs {missing} have no JobWiring")
        compute = BatchComputeEnvironment(
            self,
            "compute_environment",
            # A changed capacity type replaces the environment; AWS refuses to delete one a job queue still uses,
            # so the new one (another generated name) is created and put into the queue before the old one goes.
            compute_environment_name_prefix=f"{name}-batch-",
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            type="MANAGED",
            state="ENABLED",
            compute_resources=BatchComputeEnvironmentComputeResources(
                type=config.capacity,
                max_vcpus=config.max_vcpus,
                subnets=list(subnet_ids),
                security_group_ids=[security_group_id],
            ),
            tags={"Name": f"{name}-batch", **tags},
        )
        queue = BatchJobQueue(
            self,
            "job_queue",
            name=job_queue_name(environment),
            state="ENABLED",
            priority=1,
            compute_environment_order=[BatchJobQueueComputeEnvironmentOrder(order=1, compute_environment=compute.arn)],
            tags={"Name": job_queue_name(environment), **tags},
        )
        self.compute_environment_arn: str = compute.arn
        self.job_queue_name: str = queue.name
        self.job_queue_arn: str = queue.arn
        self.job_definition_names: dict[str, str] = {}
        self.job_definition_arns: dict[str, str] = {}
        self.job_role_arns: dict[str, str] = {}
        assume = service_trust_policy(
            self,
            "assume",
            service="ecs-tasks.amazonaws.com",
            account_id=account_id,
            source_arn=f"arn:{partition}:ecs:{region}:{account_id}:*",
        )
        for key, job in sorted(config.jobs.items()):
            self._job(
                key,
                job,
                jobs[key],
                name=name,
                environment=environment,
                region=region,
                kms_key_arn=kms_key_arn,
                assume=assume,
                tags=tags,
            )

    def _job(
        self,
        key: str,
        job: BatchJobConfig,
        wiring: JobWiring,
        *,
        name: str,
        environment: str,
        region: str,
        kms_key_arn: str,
        assume: str,
        tags: dict[str, str],
    ) -> None:
        ident = key
        execution_role_name, job_role_name = batch_role_names(name, key)
        logs = CloudwatchLogGroup(
            self,
            f"{ident}_logs",
            name=job_log_group_name(name, key),
            retention_in_days=job.log_retention_days,
            kms_key_id=kms_key_arn,
            tags=tags,
        )
        execution = IamRole(
            self,
            f"{ident}_execution",
            name=execution_role_name,
            description=f"Batch starts {key} jobs with this role: image pull, logs, secrets",
            assume_role_policy=assume,
            tags=tags,
        )
        execution_policy = DataAwsIamPolicyDocument(
            self,
            f"{ident}_execution_permissions",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="EcrAuthorization", actions=["ecr:GetAuthorizationToken"], resources=["*"]
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="PullImage", actions=list(ECR_PULL), resources=[wiring.repository_arn]
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[logs.arn, f"{logs.arn}:*"],
                ),
                *secret_statements(wiring, region=region, kms_key_arn=kms_key_arn),
            ],
        )
        IamRolePolicy(
            self, f"{ident}_execution_policy", name="start-job", role=execution.id, policy=execution_policy.json
        )
        job_role = IamRole(
            self,
            f"{ident}_job_role",
            name=job_role_name,
            description=f"The {key} job runs as this role",
            assume_role_policy=assume,
            tags=tags,
        )
        if wiring.grants:
            job_policy = DataAwsIamPolicyDocument(
                self, f"{ident}_job_permissions", statement=[grant.statement() for grant in wiring.grants]
            )
            IamRolePolicy(self, f"{ident}_job_policy", name="application", role=job_role.id, policy=job_policy.json)

        variables = {**job.environment, **wiring.environment}
        container: dict[str, Any] = {
            "image": f"{wiring.image_repository_url}:{wiring.image_tag}",
            "executionRoleArn": execution.arn,
            "jobRoleArn": job_role.arn,
            "resourceRequirements": [
                {"type": "VCPU", "value": f"{job.vcpu:g}"},
                {"type": "MEMORY", "value": str(job.memory)},
            ],
            "networkConfiguration": {"assignPublicIp": "DISABLED"},
            "fargatePlatformConfiguration": {"platformVersion": "LATEST"},
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": logs.name, "awslogs-region": region, "awslogs-stream-prefix": key},
            },
        }
        if job.command:
            container["command"] = list(job.command)
        if variables:
            container["environment"] = [{"name": k, "value": variables[k]} for k in sorted(variables)]
        if wiring.secrets:
            container["secrets"] = [{"name": k, "valueFrom": wiring.secrets[k]} for k in sorted(wiring.secrets)]
        definition = BatchJobDefinition(
            self,
            f"{ident}_definition",
            name=job_definition_name(environment, key),
            type="container",
            platform_capabilities=["FARGATE"],
            container_properties=json.dumps(container),
            retry_strategy=BatchJobDefinitionRetryStrategy(attempts=job.attempts),
            timeout=BatchJobDefinitionTimeout(attempt_duration_seconds=job.timeout_seconds),
            propagate_tags=True,
            tags={"Name": job_definition_name(environment, key), **tags},
        )
        self.job_definition_names[key] = definition.name
        self.job_definition_arns[key] = definition.arn
        self.job_role_arns[key] = job_role.arn
