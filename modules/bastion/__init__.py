"""A bastion without inbound rules or SSH keys, reached only through SSM Session Manager (port forwarding)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions, InstanceRootBlockDevice
from cdktf_cdktf_provider_aws.ssm_document import SsmDocument
from constructs import Construct

from config.bastion import BastionConfig, session_document_name, session_log_group_name

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"
"""AWS managed policy with exactly what the SSM agent needs to register and open sessions."""


@dataclass(frozen=True)
class SessionTarget:
    """Where the bastion's account and Region put session logs (for the log-group ARNs of the role's policy)."""

    account_id: str
    region: str


def session_preferences(
    *, log_group_name: str, kms_key_arn: str, idle_minutes: int, max_minutes: int | None
) -> dict[str, object]:
    """The content of a Standard_Stream Session document: logs to CloudWatch only, encrypted, no run-as."""
    return {
        "schemaVersion": "1.0",
        "description": "Shell sessions on the bastion: transcripts to CloudWatch Logs, KMS-encrypted data channel",
        "sessionType": "Standard_Stream",
        "inputs": {
            "s3BucketName": "",
            "s3KeyPrefix": "",
            "s3EncryptionEnabled": True,
            "cloudWatchLogGroupName": log_group_name,
            "cloudWatchEncryptionEnabled": True,
            "cloudWatchStreamingEnabled": True,
            "kmsKeyId": kms_key_arn,
            "runAsEnabled": False,
            "runAsDefaultUser": "",
            "idleSessionTimeout": str(idle_minutes),
            "maxSessionDuration": str(max_minutes) if max_minutes is not None else "",
            "shellProfile": {"windows": "", "linux": ""},
        },
    }


class Bastion(Construct):
    """One instance in a private subnet with the SSM agent, an SSM-only role and the bastion security group.

    No key pair and no inbound rules: sessions and port forwards go through Session Manager, which the agent
    reaches over HTTPS (NAT or the ssm/ssmmessages/ec2messages endpoints). IMDSv2 is required and the root
    volume is encrypted with the environment's CMK. The AMI id comes from a public SSM parameter at plan time;
    `ami` is ignored afterwards, so a newer AMI does not replace the instance on every apply (replace it on
    purpose with `terraform apply -replace=...`).

    With `session_logging`, shell sessions started with the document `{name}-session` (not the account-wide
    `SSM-SessionManagerRunShell`, which the console may already have created and which two environments in one
    account and Region would share) stream their transcript to a log group encrypted with the CMK, and their data
    channel is encrypted with it too. The instance role may then write exactly that group and decrypt with that
    key; `logs:DescribeLogGroups` (the agent checks the group exists and is encrypted) cannot be narrowed to one
    group, so it is granted on the account's groups in this Region.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: BastionConfig,
        subnet_id: str,
        security_group_id: str,
        kms_key_arn: str,
        partition: str,
        session_target: SessionTarget | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if config.session_logging and session_target is None:
            raise ValueError("session_logging needs the SessionTarget (account and Region of the log group)")
        role = IamRole(
            self,
            "role",
            name=f"{name}-bastion",
            description="Bastion instance: SSM Session Manager only",
            # EC2 passes no source account or ARN when an instance assumes its role, so no confused-deputy condition
            assume_role_policy=DataAwsIamPolicyDocument(
                self,
                "trust",
                statement=[
                    DataAwsIamPolicyDocumentStatement(
                        actions=["sts:AssumeRole"],
                        principals=[
                            DataAwsIamPolicyDocumentStatementPrincipals(
                                type="Service", identifiers=["ec2.amazonaws.com"]
                            )
                        ],
                    )
                ],
            ).json,
            tags=dict(tags or {}),
        )
        IamRolePolicyAttachment(
            self,
            "ssm_core",
            role=role.name,
            policy_arn=f"arn:{partition}:iam::aws:policy/{SSM_CORE_POLICY}",
        )
        profile = IamInstanceProfile(self, "profile", name=f"{name}-bastion", role=role.name, tags=dict(tags or {}))
        ami = DataAwsSsmParameter(self, "ami", name=config.ami_parameter)
        instance = Instance(
            self,
            "this",
            ami=ami.insecure_value,
            instance_type=config.instance_type,
            subnet_id=subnet_id,
            vpc_security_group_ids=[security_group_id],
            iam_instance_profile=profile.name,
            associate_public_ip_address=False,
            ebs_optimized=True,
            monitoring=False,
            metadata_options=InstanceMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            root_block_device=InstanceRootBlockDevice(
                encrypted=True, kms_key_id=kms_key_arn, volume_type="gp3", delete_on_termination=True
            ),
            lifecycle=TerraformResourceLifecycle(ignore_changes=["ami"]),
            tags={"Name": f"{name}-bastion", **dict(tags or {})},
        )
        self.instance_id = instance.id
        self.role_name = role.name
        self.session_document_name: str | None = None
        self.session_log_group_name: str | None = None
        if config.session_logging and session_target is not None:
            self._session_logging(
                name=name,
                config=config,
                role_name=role.name,
                kms_key_arn=kms_key_arn,
                partition=partition,
                target=session_target,
                tags=dict(tags or {}),
            )

    def _session_logging(
        self,
        *,
        name: str,
        config: BastionConfig,
        role_name: str,
        kms_key_arn: str,
        partition: str,
        target: SessionTarget,
        tags: dict[str, str],
    ) -> None:
        logs = CloudwatchLogGroup(
            self,
            "session_logs",
            name=session_log_group_name(name),
            retention_in_days=config.session_log_retention_days,
            kms_key_id=kms_key_arn,
            tags=tags,
        )
        document = SsmDocument(
            self,
            "session_document",
            name=session_document_name(name),
            document_type="Session",
            document_format="JSON",
            content=json.dumps(
                session_preferences(
                    log_group_name=logs.name,
                    kms_key_arn=kms_key_arn,
                    idle_minutes=config.idle_session_timeout_minutes,
                    max_minutes=config.max_session_duration_minutes,
                )
            ),
            tags=tags,
        )
        permissions = DataAwsIamPolicyDocument(
            self,
            "session_permissions",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteSessionLogs",
                    actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    resources=[logs.arn, f"{logs.arn}:log-stream:*"],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="FindSessionLogGroup",
                    actions=["logs:DescribeLogGroups"],
                    resources=[f"arn:{partition}:logs:{target.region}:{target.account_id}:log-group:*"],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="DecryptSessionData", actions=["kms:Decrypt"], resources=[kms_key_arn]
                ),
            ],
        )
        IamRolePolicy(self, "session_policy", name="session-logging", role=role_name, policy=permissions.json)
        self.session_document_name = document.name
        self.session_log_group_name = logs.name
