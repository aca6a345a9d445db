"""Stack outputs: what a team reads after an apply (names, endpoints, ARNs; never secret values)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformOutput
from constructs import Construct

from stacks.layers.api import ApiOutputs, api_outputs
from stacks.layers.compute import ComputeOutputs
from stacks.layers.data import DataOutputs
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.identity import IdentityOutputs, identity_outputs
from stacks.layers.load_balancing import LoadBalancingOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.registry import RegistryOutputs
from stacks.layers.secrets import SecretsOutputs


@dataclass(frozen=True)
class StackOutput:
    """One `TerraformOutput` of the environment's stack."""

    name: str
    value: object
    description: str


def stack_outputs(
    *,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    data: DataOutputs,
    secrets: SecretsOutputs,
    registry: RegistryOutputs,
    load_balancing: LoadBalancingOutputs | None,
    compute: ComputeOutputs,
    identity: IdentityOutputs | None = None,
    api: ApiOutputs | None = None,
) -> list[StackOutput]:
    """The outputs of one environment; optional stores and the ALB add theirs only when they exist."""
    outputs = [
        StackOutput(
            "kms_key_arn",
            encryption.kms_key_arn,
            "CMK that encrypts this environment's data at rest and its log groups",
        ),
        StackOutput("vpc_id", network.vpc_id, "VPC of this environment"),
        StackOutput("public_subnet_ids", list(network.public_subnet_ids), "Public subnets (ALB, NAT), one per AZ"),
        StackOutput(
            "private_subnet_ids",
            list(network.private_subnet_ids),
            "Private application subnets (ECS tasks, endpoints), one per AZ",
        ),
        StackOutput(
            "database_subnet_ids",
            list(network.database_subnet_ids),
            "Isolated database subnets (no internet route), one per AZ",
        ),
        StackOutput("nat_gateway_ids", list(network.nat_gateway_ids), "NAT gateways (empty when nat = none)"),
        StackOutput(
            "ecr_repository_urls", dict(registry.repository_urls), "ECR repository URL per service, for docker push"
        ),
        StackOutput(
            "image_tag_parameter_names",
            dict(registry.deployed_tag_parameter_names),
            "SSM parameter per service that CI writes the deployed image tag to before applying",
        ),
        StackOutput("secret_arns", dict(secrets.secret_arns), "ARNs (never values) of the application secrets"),
        StackOutput("parameter_arns", dict(secrets.parameter_arns), "ARNs of the SSM parameters"),
        StackOutput("ecs_cluster_name", compute.cluster_name, "ECS cluster"),
        StackOutput("ecs_service_names", dict(compute.service_names), "ECS service name per service"),
    ]
    if load_balancing is not None:
        outputs.append(
            StackOutput("alb_dns_name", load_balancing.alb_dns_name, "DNS name of the ALB (CNAME/alias target)")
        )
        if load_balancing.waf_web_acl_arn is not None:
            outputs.append(StackOutput("waf_web_acl_arn", load_balancing.waf_web_acl_arn, "WAFv2 web ACL on the ALB"))
    if data.database is not None:
        outputs += [
            StackOutput("db_endpoint", data.database.endpoint, "Writer endpoint of the database"),
            StackOutput(
                "db_reader_endpoint",
                data.database.reader_endpoint,
                "Reader endpoint (Aurora); the instance address for RDS PostgreSQL",
            ),
            StackOutput(
                "db_master_secret_arn",
                data.database.master_secret_arn,
                "ARN of the RDS-managed master-user secret (username and password)",
            ),
        ]
    if data.cache is not None:
        outputs += [
            StackOutput(
                "redis_primary_endpoint", data.cache.primary_endpoint_address, "Redis primary endpoint address"
            ),
            StackOutput(
                "redis_auth_token_secret_arn", data.cache.auth_token_secret_arn, "ARN of the Redis AUTH token secret"
            ),
        ]
    if compute.codedeploy_app_name is not None:
        outputs.append(
            StackOutput("codedeploy_app_name", compute.codedeploy_app_name, "CodeDeploy application (blue/green)")
        )
    outputs += identity_outputs(identity) + api_outputs(api)
    return outputs


def declare_outputs(scope: Construct, outputs: list[StackOutput]) -> None:
    """Declare each output at stack level (only stacks declare outputs)."""
    for output in outputs:
        TerraformOutput(scope, output.name, value=output.value, description=output.description)
