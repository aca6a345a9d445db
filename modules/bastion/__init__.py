"""A bastion without inbound rules or SSH keys, reached only through SSM Session Manager (port forwarding)."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.data_aws_ssm_parameter import DataAwsSsmParameter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.instance import Instance, InstanceMetadataOptions, InstanceRootBlockDevice
from constructs import Construct

from config.bastion import BastionConfig

SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"
"""AWS managed policy with exactly what the SSM agent needs to register and open sessions."""


class Bastion(Construct):
    """One instance in a private subnet with the SSM agent, an SSM-only role and the bastion security group.

    No key pair and no inbound rules: sessions and port forwards go through Session Manager, which the agent
    reaches over HTTPS (NAT or the ssm/ssmmessages/ec2messages endpoints). IMDSv2 is required and the root
    volume is encrypted with the environment's CMK. The AMI id comes from a public SSM parameter at plan time;
    `ami` is ignored afterwards, so a newer AMI does not replace the instance on every apply (replace it on
    purpose with `terraform apply -replace=...`).
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
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
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
