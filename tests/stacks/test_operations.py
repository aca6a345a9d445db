"""Operations gaps on the composed reference environments: Batch job secrets, TLS-only queue policies, bastion
session logging, CloudTrail metric alarms; each asserted where it is on (stg/prod) and where it is off (dev)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from config import PlatformConfig
from modules.monitoring import TRAIL_FILTERS
from tests.conftest import Json, platform_json, resources


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "prod")


@pytest.fixture(scope="module")
def stg(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "stg")


@pytest.fixture(scope="module")
def dev(reference_config: PlatformConfig) -> Json:
    return platform_json(reference_config, "dev")


def reference_id(expression: str) -> tuple[str, str]:
    """`${aws_sqs_queue.x.url}` -> ("aws_sqs_queue", "x")."""
    kind, ident, _ = expression.removeprefix("${").removesuffix("}").split(".", maxsplit=2)
    return kind, ident


# --- Batch job secrets -----------------------------------------------------------------------------------


def batch_execution_policy(document: Json) -> dict[str, Json]:
    (found,) = [
        policy
        for key, policy in document["data"]["aws_iam_policy_document"].items()
        if key.startswith("batch_fastapi_default_execution_permissions")
    ]
    return {statement["sid"]: statement for statement in found["statement"]}


def test_batch_job_reads_its_secrets_as_arns_through_its_execution_role(prod: Json, stg: Json) -> None:
    for document in (prod, stg):
        (definition,) = resources(document, "aws_batch_job_definition").values()
        container = json.loads(definition["container_properties"])
        (cluster_id,) = resources(document, "aws_rds_cluster")
        master = f"${{aws_rds_cluster.{cluster_id}.master_user_secret[0].secret_arn}}"
        (jwt_id,) = [
            key
            for key, secret in resources(document, "aws_secretsmanager_secret").items()
            if secret["name"].endswith("/jwt-secret")
        ]
        jwt = f"${{aws_secretsmanager_secret.{jwt_id}.arn}}"
        assert container["secrets"] == [
            {"name": "DB_PASSWORD", "valueFrom": f"{master}:password::"},
            {"name": "DB_USER", "valueFrom": f"{master}:username::"},
            {"name": "JWT_SECRET", "valueFrom": jwt},
        ]
        statements = batch_execution_policy(document)
        assert sorted(statements["ReadSecrets"]["resources"]) == sorted([master, jwt])
        assert "ReadParameters" not in statements
        # the key that encrypts both secrets, and only it
        encrypting = {
            resources(document, "aws_secretsmanager_secret")[jwt_id]["kms_key_id"],
            resources(document, "aws_rds_cluster")[cluster_id]["master_user_secret_kms_key_id"],
        }
        assert statements["DecryptSecrets"]["resources"] == sorted(encrypting)


def test_no_batch_and_no_job_secrets_in_dev(dev: Json) -> None:
    assert not resources(dev, "aws_batch_job_definition")


# --- TLS-only queue policies ------------------------------------------------------------------------------


def test_every_queue_and_dead_letter_queue_refuses_plain_http(prod: Json, stg: Json) -> None:
    for document in (prod, stg):
        queues = resources(document, "aws_sqs_queue")
        assert len(queues) == 2  # mailer and its dead-letter queue
        covered = {
            reference_id(policy["queue_url"])[1] for policy in resources(document, "aws_sqs_queue_policy").values()
        }
        assert covered == set(queues)
        for policy in resources(document, "aws_sqs_queue_policy").values():
            _, document_id = reference_id(policy["policy"].replace("data.", "", 1))
            (statement,) = document["data"]["aws_iam_policy_document"][document_id]["statement"]
            assert statement["effect"] == "Deny" and statement["actions"] == ["sqs:*"]
            assert statement["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_no_queue_policy_without_queues(dev: Json) -> None:
    assert not resources(dev, "aws_sqs_queue") and not resources(dev, "aws_sqs_queue_policy")


# --- CloudTrail metric alarms -----------------------------------------------------------------------------


def trail_alarms(document: Json) -> dict[str, Json]:
    return {
        alarm["alarm_name"]: alarm
        for alarm in resources(document, "aws_cloudwatch_metric_alarm").values()
        if "-trail-" in alarm["alarm_name"]
    }


@pytest.mark.parametrize("name", ["stg", "prod"])
def test_cis_alarms_on_the_trail_log_group_notify_the_environment_topic(
    name: str, reference_config: PlatformConfig, stg: Json, prod: Json
) -> None:
    document = {"stg": stg, "prod": prod}[name]
    (log_group_id,) = [
        key
        for key, group in resources(document, "aws_cloudwatch_log_group").items()
        if group["name"] == f"/aws/cloudtrail/acme-{name}"
    ]
    filters = resources(document, "aws_cloudwatch_log_metric_filter")
    assert len(filters) == len(TRAIL_FILTERS)
    assert {f["log_group_name"] for f in filters.values()} == {f"${{aws_cloudwatch_log_group.{log_group_id}.name}}"}
    (topic_id,) = resources(document, "aws_sns_topic")
    alarms = trail_alarms(document)
    assert len(alarms) == len(TRAIL_FILTERS)
    assert f"acme-{name}-trail-root-usage" in alarms
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == [f"${{aws_sns_topic.{topic_id}.arn}}"]


def test_no_trail_alarms_in_dev(dev: Json) -> None:
    assert not resources(dev, "aws_cloudwatch_log_metric_filter") and not trail_alarms(dev)


@pytest.mark.parametrize(
    "override",
    [
        {"monitoring": {"trail_alarms": False}},
        {"audit": {"enabled": False}},
        {"monitoring": {"alarms": False, "emails": []}},
    ],
    ids=["toggle-off", "no-audit", "no-alarms"],
)
def test_trail_alarms_need_alarms_audit_and_the_toggle(
    override: Json, config_with: Callable[[Json], PlatformConfig]
) -> None:
    document = platform_json(config_with({"environments": {"stg": override}}), "stg")
    assert not resources(document, "aws_cloudwatch_log_metric_filter") and not trail_alarms(document)


def test_layered_monitoring_state_reads_the_trail_log_group_from_the_audit_state(layered_synthesized: Path) -> None:
    audit = json.loads((layered_synthesized / "stacks" / "prod-audit" / "cdk.tf.json").read_text())
    monitoring = json.loads((layered_synthesized / "stacks" / "prod-monitoring" / "cdk.tf.json").read_text())
    assert not resources(audit, "aws_cloudwatch_log_metric_filter")  # audit's constructs are left alone
    filters = resources(monitoring, "aws_cloudwatch_log_metric_filter")
    assert len(filters) == len(TRAIL_FILTERS)
    assert all("terraform_remote_state" in f["log_group_name"] for f in filters.values())


# --- Bastion session logging ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "retention"), [("stg", 90), ("prod", 365)])
def test_bastion_shell_sessions_are_logged_per_environment(name: str, retention: int, stg: Json, prod: Json) -> None:
    document = {"stg": stg, "prod": prod}[name]
    (session,) = resources(document, "aws_ssm_document").values()
    assert session["name"] == f"acme-{name}-session" and session["document_type"] == "Session"
    inputs = json.loads(session["content"])["inputs"]
    (group_id,) = [
        key
        for key, group in resources(document, "aws_cloudwatch_log_group").items()
        if group["name"] == f"/aws/ssm/acme-{name}/sessions"
    ]
    group = resources(document, "aws_cloudwatch_log_group")[group_id]
    assert group["retention_in_days"] == retention
    assert inputs["cloudWatchLogGroupName"] == f"${{aws_cloudwatch_log_group.{group_id}.name}}"
    # the transcripts and the session data are encrypted with the environment's CMK, the one of its other logs
    assert inputs["kmsKeyId"] == group["kms_key_id"] and group["kms_key_id"].startswith("${aws_kms_key.kms_key")
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["runAsEnabled"] is False
    (policy,) = [p for p in resources(document, "aws_iam_role_policy").values() if p.get("name") == "session-logging"]
    (role_id,) = [
        k for k, role in resources(document, "aws_iam_role").items() if role["name"] == f"acme-{name}-bastion"
    ]
    assert policy["role"] == f"${{aws_iam_role.{role_id}.name}}"


def test_no_session_document_without_a_bastion_or_with_logging_off(
    dev: Json, config_with: Callable[[Json], PlatformConfig]
) -> None:
    assert not resources(dev, "aws_ssm_document")
    document = platform_json(config_with({"environments": {"stg": {"bastion": {"session_logging": False}}}}), "stg")
    assert resources(document, "aws_instance")  # the bastion stays
    assert not resources(document, "aws_ssm_document")
    assert not [g for g in resources(document, "aws_cloudwatch_log_group").values() if "/aws/ssm/" in g["name"]]
    assert not [p for p in resources(document, "aws_iam_role_policy").values() if p.get("name") == "session-logging"]
