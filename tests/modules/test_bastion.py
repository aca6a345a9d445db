"""The bastion: SSM only, no inbound path, IMDSv2, encrypted root volume, private subnet."""

from __future__ import annotations

import json

import pytest
from cdktf import TerraformStack, Testing

from config.bastion import BastionConfig
from modules.bastion import Bastion, SessionTarget
from tests.conftest import Json, only, resources, synth_json

KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/k"


def bastion_json(config: BastionConfig) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    Bastion(
        stack,
        "bastion",
        name="acme-stg",
        config=config,
        subnet_id="subnet-private",
        security_group_id="sg-bastion",
        kms_key_arn="arn:aws:kms:ap-northeast-1:123456789012:key/k",
        partition="aws",
        session_target=SessionTarget(account_id="123456789012", region="ap-northeast-1"),
    )
    return synth_json(stack)


def test_instance_is_private_imdsv2_encrypted_and_keyless() -> None:
    document = bastion_json(BastionConfig())
    instance = only(document, "aws_instance")
    assert instance["instance_type"] == "t3.nano"
    assert instance["subnet_id"] == "subnet-private" and instance["associate_public_ip_address"] is False
    assert instance["vpc_security_group_ids"] == ["sg-bastion"]
    assert instance["metadata_options"]["http_tokens"] == "required"
    assert instance["root_block_device"]["encrypted"] is True
    assert instance["root_block_device"]["kms_key_id"].endswith(":key/k")
    assert "key_name" not in instance and "user_data" not in instance
    # a newer AMI in the public parameter must not replace the bastion on every apply
    assert instance["lifecycle"]["ignore_changes"] == ["ami"]
    (parameter,) = document["data"]["aws_ssm_parameter"].values()
    assert parameter["name"] == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    assert instance["ami"].endswith(".insecure_value}")


def test_role_is_ssm_core_only_for_ec2() -> None:
    document = bastion_json(BastionConfig(instance_type="t4g.nano", ami_parameter="/aws/service/x/arm64"))
    assert only(document, "aws_instance")["instance_type"] == "t4g.nano"
    attachment = only(document, "aws_iam_role_policy_attachment")
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert "aws_iam_role_policy" not in document["resource"]
    (trust,) = document["data"]["aws_iam_policy_document"].values()
    (statement,) = trust["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]


def test_no_session_logging_by_default() -> None:
    document = bastion_json(BastionConfig())
    assert not resources(document, "aws_ssm_document")
    assert not resources(document, "aws_cloudwatch_log_group")
    assert not resources(document, "aws_iam_role_policy")


@pytest.fixture(scope="module")
def logged() -> Json:
    return bastion_json(
        BastionConfig(session_logging=True, session_log_retention_days=365, max_session_duration_minutes=120)
    )


def test_session_log_group_is_kms_encrypted_with_the_configured_retention(logged: Json) -> None:
    group = only(logged, "aws_cloudwatch_log_group")
    assert group["name"] == "/aws/ssm/acme-stg/sessions"
    assert group["retention_in_days"] == 365 and group["kms_key_id"] == KEY


def test_session_document_is_per_environment_and_logs_encrypted_shell_sessions(logged: Json) -> None:
    document = only(logged, "aws_ssm_document")
    # not SSM-SessionManagerRunShell: that one is per account and Region and may already exist
    assert document["name"] == "acme-stg-session"
    assert document["document_type"] == "Session" and document["document_format"] == "JSON"
    content = json.loads(document["content"])
    assert content["schemaVersion"] == "1.0" and content["sessionType"] == "Standard_Stream"
    (group_id,) = resources(logged, "aws_cloudwatch_log_group")
    assert content["inputs"] == {
        "s3BucketName": "",
        "s3KeyPrefix": "",
        "s3EncryptionEnabled": True,
        "cloudWatchLogGroupName": f"${{aws_cloudwatch_log_group.{group_id}.name}}",
        "cloudWatchEncryptionEnabled": True,
        "cloudWatchStreamingEnabled": True,
        "kmsKeyId": KEY,
        "runAsEnabled": False,
        "runAsDefaultUser": "",
        "idleSessionTimeout": "20",
        "maxSessionDuration": "120",
        "shellProfile": {"windows": "", "linux": ""},
    }


def test_instance_role_may_write_exactly_the_session_log_group_and_decrypt_with_the_key(logged: Json) -> None:
    policy = only(logged, "aws_iam_role_policy")
    assert policy["name"] == "session-logging"
    (role_id,) = resources(logged, "aws_iam_role")
    assert policy["role"] == f"${{aws_iam_role.{role_id}.name}}"
    (group_id,) = resources(logged, "aws_cloudwatch_log_group")
    group_arn = f"${{aws_cloudwatch_log_group.{group_id}.arn}}"
    documents = logged["data"]["aws_iam_policy_document"]
    (permissions,) = [doc for key, doc in documents.items() if key.startswith("bastion_session_permissions")]
    statements = {statement["sid"]: statement for statement in permissions["statement"]}
    assert statements == {
        "WriteSessionLogs": {
            "sid": "WriteSessionLogs",
            "actions": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "resources": [group_arn, f"{group_arn}:log-stream:*"],
        },
        "FindSessionLogGroup": {
            "sid": "FindSessionLogGroup",
            "actions": ["logs:DescribeLogGroups"],
            "resources": ["arn:aws:logs:ap-northeast-1:123456789012:log-group:*"],
        },
        "DecryptSessionData": {"sid": "DecryptSessionData", "actions": ["kms:Decrypt"], "resources": [KEY]},
    }
    # the SSM core policy stays the only managed policy
    assert only(logged, "aws_iam_role_policy_attachment")["policy_arn"].endswith("/AmazonSSMManagedInstanceCore")


def test_session_logging_needs_the_target() -> None:
    stack = TerraformStack(Testing.app(), "test")
    with pytest.raises(ValueError, match="SessionTarget"):
        Bastion(
            stack,
            "bastion",
            name="acme-stg",
            config=BastionConfig(session_logging=True),
            subnet_id="subnet-private",
            security_group_id="sg-bastion",
            kms_key_arn=KEY,
            partition="aws",
        )
