"""Stack outputs: what a team reads after an apply (names, endpoints, ARNs; never secret values)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformOutput
from constructs import Construct

from stacks.layers.api import ApiOutputs, api_outputs
from stacks.layers.audit import AuditOutputs, audit_outputs
from stacks.layers.bastion import BastionOutputs, bastion_outputs
from stacks.layers.batch import BatchOutputs, batch_outputs
from stacks.layers.compute import ComputeOutputs
from stacks.layers.data import DataOutputs
from stacks.layers.delivery import DeliveryOutputs, delivery_outputs
from stacks.layers.domain import DomainOutputs
from stacks.layers.dotenv import dotenv_text
from stacks.layers.edge import EdgeOutputs, edge_outputs
from stacks.layers.email import EmailOutputs, email_outputs
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.identity import IdentityOutputs, identity_outputs
from stacks.layers.load_balancing import LoadBalancingOutputs
from stacks.layers.monitoring import MonitoringOutputs, monitoring_outputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.registry import RegistryOutputs
from stacks.layers.secrets import SecretsOutputs
from stacks.layers.storage import StorageOutputs, storage_outputs


@dataclass(frozen=True)
class StackOutput:
    """One `TerraformOutput` of the environment's stack."""

    layer: str
    """The state that holds the value (see stacks/platform.py `StateName`): where the output is declared."""
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
    storage: StorageOutputs,
    load_balancing: LoadBalancingOutputs | None,
    compute: ComputeOutputs,
    domain: DomainOutputs | None = None,
    edge: EdgeOutputs | None = None,
    batch: BatchOutputs | None,
    monitoring: MonitoringOutputs,
    audit: AuditOutputs,
    bastion: BastionOutputs | None = None,
    delivery: DeliveryOutputs | None = None,
    email: EmailOutputs | None = None,
    identity: IdentityOutputs | None = None,
    api: ApiOutputs | None = None,
    region: str = "",
) -> list[StackOutput]:
    """The outputs of one environment; optional stores and the ALB add theirs only when they exist."""
    outputs = [
        StackOutput(
            "encryption",
            "kms_key_arn",
            encryption.kms_key_arn,
            "CMK that encrypts this environment's data at rest and its log groups",
        ),
        StackOutput("network", "vpc_id", network.vpc_id, "VPC of this environment"),
        StackOutput(
            "network", "public_subnet_ids", list(network.public_subnet_ids), "Public subnets (ALB, NAT), one per AZ"
        ),
        StackOutput(
            "network",
            "private_subnet_ids",
            list(network.private_subnet_ids),
            "Private application subnets (ECS tasks, endpoints), one per AZ",
        ),
        StackOutput(
            "network",
            "database_subnet_ids",
            list(network.database_subnet_ids),
            "Isolated database subnets (no internet route), one per AZ",
        ),
        StackOutput(
            "network", "nat_gateway_ids", list(network.nat_gateway_ids), "NAT gateways (empty when nat = none)"
        ),
        StackOutput(
            "registry",
            "ecr_repository_urls",
            dict(registry.repository_urls),
            "ECR repository URL per service, for docker push",
        ),
        StackOutput(
            "registry",
            "image_tag_parameter_names",
            dict(registry.deployed_tag_parameter_names),
            "SSM parameter per service that CI writes the deployed image tag to before applying",
        ),
        StackOutput(
            "secrets", "secret_arns", dict(secrets.secret_arns), "ARNs (never values) of the application secrets"
        ),
        StackOutput("secrets", "parameter_arns", dict(secrets.parameter_arns), "ARNs of the SSM parameters"),
        StackOutput("compute", "ecs_cluster_name", compute.cluster_name, "ECS cluster"),
        StackOutput("compute", "ecs_service_names", dict(compute.service_names), "ECS service name per service"),
    ]
    if load_balancing is not None:
        outputs.append(
            StackOutput(
                "load-balancing",
                "alb_dns_name",
                load_balancing.alb_dns_name,
                "DNS name of the ALB (CNAME/alias target)",
            )
        )
        if load_balancing.waf_web_acl_arn is not None:
            outputs.append(
                StackOutput(
                    "load-balancing", "waf_web_acl_arn", load_balancing.waf_web_acl_arn, "WAFv2 web ACL on the ALB"
                )
            )
    if data.database is not None:
        outputs += [
            StackOutput("data", "db_endpoint", data.database.endpoint, "Writer endpoint of the database"),
            StackOutput(
                "data",
                "db_reader_endpoint",
                data.database.reader_endpoint,
                "Reader endpoint (Aurora); the instance address for RDS PostgreSQL",
            ),
            StackOutput(
                "data",
                "db_master_secret_arn",
                data.database.master_secret_arn,
                "ARN of the RDS-managed master-user secret (username and password)",
            ),
        ]
    if data.cache is not None:
        outputs += [
            StackOutput(
                "data", "redis_primary_endpoint", data.cache.primary_endpoint_address, "Redis primary endpoint address"
            ),
            StackOutput(
                "data",
                "redis_auth_token_secret_arn",
                data.cache.auth_token_secret_arn,
                "ARN of the Redis AUTH token secret",
            ),
        ]
    for service, variables in compute.container_environments.items():
        outputs.append(
            StackOutput(
                "compute",
                f"dotenv_{service}",
                dotenv_text(
                    f"{service}: container variables; secrets as ARNs", variables, compute.wiring[service].secrets
                ),
                f"The .env of {service}: `terraform output -raw dotenv_{service} > .env` (secrets as *_ARN only)",
            )
        )
    if compute.codedeploy_app_name is not None:
        outputs.append(
            StackOutput(
                "compute", "codedeploy_app_name", compute.codedeploy_app_name, "CodeDeploy application (blue/green)"
            )
        )
    if edge is not None:
        outputs += edge_outputs(domain, edge)
    outputs += storage_outputs(storage)
    outputs += batch_outputs(batch)
    outputs += monitoring_outputs(monitoring)
    outputs += audit_outputs(audit)
    outputs += bastion_outputs(bastion)
    outputs += delivery_outputs(delivery)
    outputs += email_outputs(email)
    outputs += identity_outputs(identity) + api_outputs(api)
    if edge is not None and edge.spa_bucket_name is not None:
        outputs.append(spa_dotenv(region, edge, identity, api))
    return outputs


def spa_dotenv(region: str, edge: EdgeOutputs, identity: IdentityOutputs | None, api: ApiOutputs | None) -> StackOutput:
    """The SPA's `.env`: where it is served, where its API is, and the Cognito ids it signs users in with."""
    values = {"AWS_REGION": region, "APP_URL": edge.app_url, "API_URL": edge.api_url}
    if identity is not None:
        values |= {
            "COGNITO_USER_POOL_ID": identity.user_pool_id,
            "COGNITO_CLIENT_ID": identity.client_id,
            "COGNITO_DOMAIN": identity.domain,
            "COGNITO_IDENTITY_POOL_ID": identity.identity_pool_id,
        }
    if api is not None:
        values["HTTP_API_URL"] = api.endpoint
    present = {name: value for name, value in values.items() if value}
    return StackOutput(
        "edge",
        "dotenv_spa",
        dotenv_text("spa: build-time settings of the single-page app", present, {}),
        "The .env of the SPA build: `terraform output -raw dotenv_spa > .env` (ids and URLs only, nothing secret)",
    )


def declare_outputs(scope: Construct, outputs: list[StackOutput]) -> None:
    """Declare each output at stack level (only stacks declare outputs)."""
    for output in outputs:
        TerraformOutput(scope, output.name, value=output.value, description=output.description)
