"""Stack outputs: what a team reads after an apply (names, endpoints, ARNs; never secret values)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdktf import TerraformOutput
from constructs import Construct

from stacks.layers.api import ApiOutputs, api_outputs
from stacks.layers.audit import audit_outputs
from stacks.layers.bastion import bastion_outputs
from stacks.layers.batch import batch_outputs
from stacks.layers.delivery import delivery_outputs
from stacks.layers.dotenv import dotenv_text
from stacks.layers.edge import EdgeOutputs, edge_outputs
from stacks.layers.email import email_outputs
from stacks.layers.identity import IdentityOutputs, identity_outputs
from stacks.layers.monitoring import monitoring_outputs
from stacks.layers.stack_output import StackOutput
from stacks.layers.storage import storage_outputs

if TYPE_CHECKING:
    from stacks.platform import PlatformLayers  # the composition root imports this module


def stack_outputs(layers: PlatformLayers, *, region: str) -> list[StackOutput]:
    """The outputs of one environment; optional stores and the ALB add theirs only when they exist."""
    outputs = [
        StackOutput(
            "encryption",
            "kms_key_arn",
            layers.encryption.kms_key_arn,
            "CMK that encrypts this environment's data at rest and its log groups",
        ),
        StackOutput("network", "vpc_id", layers.network.vpc_id, "VPC of this environment"),
        StackOutput(
            "network",
            "public_subnet_ids",
            list(layers.network.public_subnet_ids),
            "Public subnets (ALB, NAT), one per AZ",
        ),
        StackOutput(
            "network",
            "private_subnet_ids",
            list(layers.network.private_subnet_ids),
            "Private application subnets (ECS tasks, endpoints), one per AZ",
        ),
        StackOutput(
            "network",
            "database_subnet_ids",
            list(layers.network.database_subnet_ids),
            "Isolated database subnets (no internet route), one per AZ",
        ),
        StackOutput(
            "network", "nat_gateway_ids", list(layers.network.nat_gateway_ids), "NAT gateways (empty when nat = none)"
        ),
        StackOutput(
            "registry",
            "ecr_repository_urls",
            dict(layers.registry.repository_urls),
            "ECR repository URL per service, for docker push",
        ),
        StackOutput(
            "registry",
            "image_tag_parameter_names",
            dict(layers.registry.deployed_tag_parameter_names),
            "SSM parameter per service that CI writes the deployed image tag to before applying",
        ),
        StackOutput(
            "secrets", "secret_arns", dict(layers.secrets.secret_arns), "ARNs (never values) of the application secrets"
        ),
        StackOutput("secrets", "parameter_arns", dict(layers.secrets.parameter_arns), "ARNs of the SSM parameters"),
        StackOutput("compute", "ecs_cluster_name", layers.compute.cluster_name, "ECS cluster"),
        StackOutput("compute", "ecs_service_names", dict(layers.compute.service_names), "ECS service name per service"),
    ]
    if layers.load_balancing is not None:
        outputs.append(
            StackOutput(
                "load-balancing",
                "alb_dns_name",
                layers.load_balancing.alb_dns_name,
                "DNS name of the ALB (CNAME/alias target)",
            )
        )
        if layers.load_balancing.waf_web_acl_arn is not None:
            outputs.append(
                StackOutput(
                    "load-balancing",
                    "waf_web_acl_arn",
                    layers.load_balancing.waf_web_acl_arn,
                    "WAFv2 web ACL on the ALB",
                )
            )
    if layers.data.database is not None:
        outputs += [
            StackOutput("data", "db_endpoint", layers.data.database.endpoint, "Writer endpoint of the database"),
            StackOutput(
                "data",
                "db_reader_endpoint",
                layers.data.database.reader_endpoint,
                "Reader endpoint (Aurora); the instance address for RDS PostgreSQL",
            ),
            StackOutput(
                "data",
                "db_master_secret_arn",
                layers.data.database.master_secret_arn,
                "ARN of the RDS-managed master-user secret (username and password)",
            ),
        ]
    if layers.data.cache is not None:
        outputs += [
            StackOutput(
                "data",
                "redis_primary_endpoint",
                layers.data.cache.primary_endpoint_address,
                "Redis primary endpoint address",
            ),
            StackOutput(
                "data",
                "redis_auth_token_secret_arn",
                layers.data.cache.auth_token_secret_arn,
                "ARN of the Redis AUTH token secret",
            ),
        ]
    for service, variables in layers.compute.container_environments.items():
        outputs.append(
            StackOutput(
                "compute",
                f"dotenv_{service}",
                dotenv_text(
                    f"{service}: container variables; secrets as ARNs",
                    variables,
                    layers.compute.wiring[service].secrets,
                ),
                f"The .env of {service}: `terraform output -raw dotenv_{service} > .env` (secrets as *_ARN only)",
            )
        )
    if layers.compute.codedeploy_app_name is not None:
        outputs.append(
            StackOutput(
                "compute",
                "codedeploy_app_name",
                layers.compute.codedeploy_app_name,
                "CodeDeploy application (blue/green)",
            )
        )
    if layers.edge is not None:
        outputs += edge_outputs(layers.domain, layers.edge)
    outputs += storage_outputs(layers.storage)
    outputs += batch_outputs(layers.batch)
    outputs += monitoring_outputs(layers.monitoring)
    outputs += audit_outputs(layers.audit)
    outputs += bastion_outputs(layers.bastion)
    outputs += delivery_outputs(layers.delivery)
    outputs += email_outputs(layers.email)
    outputs += identity_outputs(layers.identity) + api_outputs(layers.api)
    if layers.edge is not None and layers.edge.spa_bucket_name is not None:
        outputs.append(spa_dotenv(region, layers.edge, layers.identity, layers.api))
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
