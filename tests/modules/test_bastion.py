"""The bastion: SSM only, no inbound path, IMDSv2, encrypted root volume, private subnet."""

from __future__ import annotations

from cdktf import TerraformStack, Testing

from config.bastion import BastionConfig
from modules.bastion import Bastion
from tests.conftest import Json, only, synth_json


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
