"""Batch: Fargate compute environment in the given subnets, the `{env}_default` queue, job definitions and roles."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformStack, Testing

from config.batch import BatchConfig
from modules.batch import Batch, JobWiring
from modules.iam import PolicyGrant
from tests.conftest import Json, only, resources, synth_json

GRANT = PolicyGrant("QueueMailer", ("sqs:SendMessage",), ("arn:mailer",))


def batch_json(config: BatchConfig, jobs: dict[str, JobWiring] | None = None) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    Batch(
        stack,
        "batch",
        name="acme-stg",
        environment="stg",
        region="ap-northeast-1",
        config=config,
        jobs=jobs if jobs is not None else {key: wiring() for key in config.jobs},
        subnet_ids=["subnet-a", "subnet-c"],
        security_group_id="sg-batch",
        kms_key_arn="arn:key",
        account_id="123456789012",
        partition="aws",
    )
    return synth_json(stack)


def wiring(grants: tuple[PolicyGrant, ...] = (), environment: dict[str, str] | None = None) -> JobWiring:
    return JobWiring(
        image_repository_url="123.dkr.ecr/acme-stg-api",
        repository_arn="arn:repo",
        image_tag="abc123",
        grants=grants,
        environment=environment or {},
    )


def job(**settings: object) -> BatchConfig:
    return BatchConfig.model_validate({"enabled": True, "jobs": {"fastapi_default": {"repository": "api", **settings}}})


def test_fargate_compute_environment_in_the_private_subnets() -> None:
    document = batch_json(BatchConfig(enabled=True, capacity="FARGATE_SPOT", max_vcpus=32))
    compute = only(document, "aws_batch_compute_environment")
    assert compute["type"] == "MANAGED" and "service_role" not in compute  # the service-linked role
    assert compute["compute_environment_name_prefix"] == "acme-stg-batch-"
    assert compute["lifecycle"] == {"create_before_destroy": True}
    assert compute["compute_resources"] == {
        "type": "FARGATE_SPOT",
        "max_vcpus": 32,
        "subnets": ["subnet-a", "subnet-c"],
        "security_group_ids": ["sg-batch"],
    }
    queue = only(document, "aws_batch_job_queue")
    assert queue["name"] == "stg_default" and queue["state"] == "ENABLED"
    compute_id = next(iter(resources(document, "aws_batch_compute_environment")))
    assert queue["compute_environment_order"] == [
        {"order": 1, "compute_environment": f"${{aws_batch_compute_environment.{compute_id}.arn}}"}
    ]
    assert not resources(document, "aws_batch_job_definition")


def test_job_definition_runs_the_image_with_its_roles_and_logs() -> None:
    document = batch_json(
        job(command=["python", "-m", "jobs"], vcpu=0.5, memory=1024, environment={"MODE": "batch"}),
        {"fastapi_default": wiring((GRANT,), {"MAILER_QUEUE_URL": "https://sqs/mailer"})},
    )
    definition = only(document, "aws_batch_job_definition")
    assert definition["name"] == "stg_fastapi_default_job"
    assert definition["platform_capabilities"] == ["FARGATE"]
    assert definition["retry_strategy"] == {"attempts": 1}
    assert definition["timeout"] == {"attempt_duration_seconds": 3600}
    container = json.loads(definition["container_properties"])
    assert container["image"] == "123.dkr.ecr/acme-stg-api:abc123"
    assert container["resourceRequirements"] == [{"type": "VCPU", "value": "0.5"}, {"type": "MEMORY", "value": "1024"}]
    assert container["networkConfiguration"] == {"assignPublicIp": "DISABLED"}
    assert container["command"] == ["python", "-m", "jobs"]
    assert container["environment"] == [
        {"name": "MAILER_QUEUE_URL", "value": "https://sqs/mailer"},
        {"name": "MODE", "value": "batch"},
    ]
    roles = {role["name"]: key for key, role in resources(document, "aws_iam_role").items()}
    assert set(roles) == {"acme-stg-batch-fastapi-default-execution", "acme-stg-batch-fastapi-default-job"}
    assert container["jobRoleArn"] == f"${{aws_iam_role.{roles['acme-stg-batch-fastapi-default-job']}.arn}}"
    assert container["executionRoleArn"] == f"${{aws_iam_role.{roles['acme-stg-batch-fastapi-default-execution']}.arn}}"
    logs = only(document, "aws_cloudwatch_log_group")
    assert logs["name"] == "/aws/batch/acme-stg/fastapi-default" and logs["kms_key_id"] == "arn:key"


def policy(document: Json, suffix: str) -> list[Json]:
    (found,) = [doc for key, doc in document["data"]["aws_iam_policy_document"].items() if key.startswith(suffix)]
    return list(found["statement"])


def test_job_role_has_exactly_its_grants() -> None:
    document = batch_json(job(), {"fastapi_default": wiring((GRANT,))})
    assert policy(document, "batch_fastapi_default_job_permissions") == [
        {"sid": "QueueMailer", "actions": ["sqs:SendMessage"], "resources": ["arn:mailer"]}
    ]
    execution = {statement["sid"]: statement for statement in policy(document, "batch_fastapi_default_execution")}
    assert set(execution) == {"EcrAuthorization", "PullImage", "WriteLogs"}
    assert execution["PullImage"]["resources"] == ["arn:repo"]


def test_job_role_without_grants_has_no_policy() -> None:
    document = batch_json(job())
    assert [policy["name"] for policy in resources(document, "aws_iam_role_policy").values()] == ["start-job"]


def test_every_job_needs_its_wiring() -> None:
    with pytest.raises(ValueError, match="fastapi_default"):
        batch_json(job(), {})


SECRET = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:acme-stg/jwt-secret-AbCdEf"
MASTER = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-1-XyZ"
PARAMETER = "arn:aws:ssm:ap-northeast-1:123456789012:parameter/acme/stg/app/log-level"


def secret_wiring() -> JobWiring:
    return JobWiring(
        image_repository_url="123.dkr.ecr/acme-stg-api",
        repository_arn="arn:repo",
        image_tag="abc123",
        secrets={"JWT_SECRET": SECRET, "DB_PASSWORD": f"{MASTER}:password::", "LOG_LEVEL": PARAMETER},
        secret_arns=(MASTER, SECRET),
        parameter_arns=(PARAMETER,),
    )


def test_job_secrets_are_value_from_arns_the_execution_role_may_read() -> None:
    document = batch_json(job(), {"fastapi_default": secret_wiring()})
    container = json.loads(only(document, "aws_batch_job_definition")["container_properties"])
    assert container["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": f"{MASTER}:password::"},
        {"name": "JWT_SECRET", "valueFrom": SECRET},
        {"name": "LOG_LEVEL", "valueFrom": PARAMETER},
    ]
    execution = {statement["sid"]: statement for statement in policy(document, "batch_fastapi_default_execution")}
    assert set(execution) == {
        "EcrAuthorization",
        "PullImage",
        "WriteLogs",
        "ReadSecrets",
        "ReadParameters",
        "DecryptSecrets",
    }
    assert execution["ReadSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert execution["ReadSecrets"]["resources"] == [MASTER, SECRET]
    assert execution["ReadParameters"] == {
        "sid": "ReadParameters",
        "actions": ["ssm:GetParameters"],
        "resources": [PARAMETER],
    }
    assert execution["DecryptSecrets"]["actions"] == ["kms:Decrypt"]
    assert execution["DecryptSecrets"]["resources"] == ["arn:key"]
    assert execution["DecryptSecrets"]["condition"] == [
        {
            "test": "StringEquals",
            "variable": "kms:ViaService",
            "values": ["secretsmanager.ap-northeast-1.amazonaws.com", "ssm.ap-northeast-1.amazonaws.com"],
        }
    ]
    # the job role (what the application runs as) gets none of it
    assert [p["name"] for p in resources(document, "aws_iam_role_policy").values()] == ["start-job"]


def test_job_without_secrets_has_no_secret_statements_or_container_secrets() -> None:
    document = batch_json(job())
    container = json.loads(only(document, "aws_batch_job_definition")["container_properties"])
    assert "secrets" not in container
    execution = {statement["sid"] for statement in policy(document, "batch_fastapi_default_execution")}
    assert execution == {"EcrAuthorization", "PullImage", "WriteLogs"}
