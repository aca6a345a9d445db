"""One environment's platform: everything that environment runs, in one state."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from constructs import Construct

from config import EnvironmentConfig, ProjectConfig
from modules.kms import EncryptionKey
from modules.network import Network
from stacks.common import aws_provider, pin_versions, s3_backend, state_key

LAYER = "platform"
"""The state-key name of this stack; a future split into layers adds siblings, not renames."""


class PlatformStack(TerraformStack):
    """The platform of one environment on the shared S3 backend, key `{project}/{env}/platform.tfstate`."""

    def __init__(self, scope: Construct, id_: str, *, project: ProjectConfig, environment: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        pin_versions(self)
        aws_provider(
            self,
            project=project,
            environment=environment.name,
            region=project.region,
            account_id=environment.account_id,
            role_arn=environment.deploy_role_arn,
        )
        s3_backend(self, backend=environment.backend, key=state_key(project, environment.name, LAYER))

        prefix = f"{project.name}-{environment.name}"
        identity = DataAwsCallerIdentity(self, "caller")
        partition = DataAwsPartition(self, "partition")
        key = EncryptionKey(
            self,
            "kms",
            alias=prefix,
            description=f"{prefix} data at rest and logs",
            account_id=identity.account_id,
            partition=partition.partition,
            region=project.region,
        )
        network = Network(
            self, "network", name=prefix, region=project.region, config=environment.network, log_kms_key_arn=key.key_arn
        )

        TerraformOutput(
            self,
            "kms_key_arn",
            value=key.key_arn,
            description="CMK that encrypts this environment's data at rest and its log groups",
        )
        TerraformOutput(self, "vpc_id", value=network.vpc_id, description="VPC of this environment")
        TerraformOutput(
            self,
            "public_subnet_ids",
            value=network.public_subnet_ids,
            description="Public subnets (ALB, NAT), one per AZ",
        )
        TerraformOutput(
            self,
            "private_subnet_ids",
            value=network.private_subnet_ids,
            description="Private application subnets (ECS tasks, endpoints), one per AZ",
        )
        TerraformOutput(
            self,
            "database_subnet_ids",
            value=network.database_subnet_ids,
            description="Isolated database subnets (no internet route), one per AZ",
        )
        TerraformOutput(
            self, "nat_gateway_ids", value=network.nat_gateway_ids, description="NAT gateways (empty when nat = none)"
        )
