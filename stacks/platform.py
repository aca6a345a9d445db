"""One environment's platform: everything that environment runs, in one state."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from constructs import Construct

from config import EnvironmentConfig, ProjectConfig, names
from config.services import ServiceConfig
from config.stack_values import STACK_VALUES, references_in, resolve
from modules.cache import Cache
from modules.compute import Compute, ServiceWiring, exec_log_group_name, service_log_group_name
from modules.database import Database
from modules.kms import EncryptionKey
from modules.load_balancer import LoadBalancer
from modules.network import Network
from modules.registry import Registry
from modules.security import AppSecrets, SecurityGroups, ServiceRoles, WebAcl
from stacks.common import aws_provider, pin_versions, s3_backend, state_key

LAYER = "platform"
"""The state-key name of this stack; a future split into layers adds siblings, not renames."""


@dataclass
class ResolvedSecrets:
    """A service's container secrets resolved to `valueFrom` ARNs, and the ARNs its execution role may read."""

    value_from: dict[str, str] = field(default_factory=dict)
    secret_arns: list[str] = field(default_factory=list)
    parameter_arns: list[str] = field(default_factory=list)


def stack_values(database: Database | None, cache: Cache | None) -> dict[str, str]:
    """What `${db.host}`-style references in container environments and String parameters resolve to."""
    values: dict[str, str] = {}
    if database is not None:
        values |= {
            "db.host": database.endpoint,
            "db.reader_host": database.reader_endpoint,
            "db.port": str(database.port),
            "db.name": database.database_name,
        }
    if cache is not None:
        values |= {
            "redis.host": cache.primary_endpoint_address,
            "redis.reader_host": cache.reader_endpoint_address,
            "redis.port": str(cache.port),
        }
    assert set(values) <= set(STACK_VALUES), "every stack value is documented in config.stack_values"
    return values


class PlatformStack(TerraformStack):
    """The platform of one environment on the shared S3 backend, key `{project}/{env}/platform.tfstate`.

    Composition order follows the data flow: key and network, security groups and secrets, data stores,
    registry and load balancer, then per-service IAM roles and the ECS services that consume all of it.
    """

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
        region = project.region
        services = environment.enabled_services
        identity = DataAwsCallerIdentity(self, "caller")
        partition = DataAwsPartition(self, "partition")
        key = EncryptionKey(
            self,
            "kms",
            alias=prefix,
            description=f"{prefix} data at rest and logs",
            account_id=identity.account_id,
            partition=partition.partition,
            region=region,
            protected=environment.protected,
        )
        network = Network(
            self, "network", name=prefix, region=region, config=environment.network, log_kms_key_arn=key.key_arn
        )

        blue_green = any(service.deployment.strategy == "blue_green" for service in services.values())
        groups = SecurityGroups(
            self,
            "security_groups",
            name=prefix,
            vpc_id=network.vpc_id,
            config=environment.security,
            services=services,
            database=environment.database.enabled,
            cache=environment.cache.enabled,
            database_port=environment.database.port,
            cache_port=environment.cache.port,
            test_listener_port=environment.load_balancer.test_listener_port
            if blue_green and environment.load_balancer is not None
            else None,
            vpc_cidr=network.vpc_cidr_block,
        )

        database = None
        if environment.database.enabled:
            assert groups.database_security_group_id is not None
            database = Database(
                self,
                "database",
                name=prefix,
                config=environment.database,
                subnet_ids=network.database_subnet_ids,
                security_group_id=groups.database_security_group_id,
                kms_key_arn=key.key_arn,
                protected=environment.protected,
            )
        cache = None
        if environment.cache.enabled:
            assert groups.cache_security_group_id is not None
            cache = Cache(
                self,
                "cache",
                name=prefix,
                config=environment.cache,
                subnet_ids=network.private_subnet_ids,
                security_group_id=groups.cache_security_group_id,
                kms_key_arn=key.key_arn,
                protected=environment.protected,
                secret_recovery_days=environment.security.secret_recovery_days,
            )

        values = stack_values(database, cache)
        secrets = AppSecrets(
            self,
            "secrets",
            name=prefix,
            project=project.name,
            environment=environment.name,
            config=environment.security,
            kms_key_arn=key.key_arn,
            # String parameters may reference stack values (`${db.host}`), e.g. seed 001's /{env}/db/* parameters
            values={
                parameter: resolve(config.value, values)
                for parameter, config in environment.security.parameters.items()
                if config.value is not None and references_in(config.value)
            },
        )

        registry = Registry(
            self,
            "registry",
            name=prefix,
            config=environment.registry,
            repositories=[*services, *environment.registry.extra_repositories],
            kms_key_arn=key.key_arn,
            # CI writes each deployed tag here and then applies; services with a pinned image_tag need none
            deployed_tag_path=names.image_tag_path(project.name, environment.name),
            tracked_repositories=[name for name, service in services.items() if service.image_tag is None],
        )

        load_balancer = None
        if environment.load_balancer is not None and any(s.kind == "web" for s in services.values()):
            load_balancer = LoadBalancer(
                self,
                "load_balancer",
                name=prefix,
                config=environment.load_balancer,
                services=services,
                vpc_id=network.vpc_id,
                public_subnet_ids=network.public_subnet_ids,
                security_group_id=groups.alb_security_group_id,
            )
            waf = WebAcl(
                self,
                "waf",
                name=prefix,
                config=environment.security.waf,
                alb_arn=load_balancer.alb_arn,
                log_kms_key_arn=key.key_arn,
            )
            if waf.web_acl_arn is not None:
                TerraformOutput(self, "waf_web_acl_arn", value=waf.web_acl_arn, description="WAFv2 web ACL on the ALB")

        log_group_arn_prefix = f"arn:{partition.partition}:logs:{region}:{identity.account_id}:log-group:"
        wiring = {}
        for name, service in services.items():
            resolved = self._resolve_secrets(service, secrets, database, cache)
            roles = ServiceRoles(
                self,
                f"{name}_roles",
                name=prefix,
                service_name=name,
                service=service,
                log_group_arn=log_group_arn_prefix + service_log_group_name(prefix, name),
                exec_log_group_arn=log_group_arn_prefix + exec_log_group_name(prefix) if service.exec else None,
                secret_arns=resolved.secret_arns,
                parameter_arns=resolved.parameter_arns,
                kms_key_arn=key.key_arn,
                repository_arn=registry.repository_arns[name],
            )
            targets = load_balancer.target_groups.get(name) if load_balancer is not None else None
            wiring[name] = ServiceWiring(
                image_repository_url=registry.repository_urls[name],
                image_tag=registry.deployed_tags.get(name),
                execution_role_arn=roles.execution_role_arn,
                task_role_arn=roles.task_role_arn,
                security_group_id=groups.service_security_group_ids[name],
                secrets=resolved.value_from,
                targets=targets,
                prod_listener_arn=load_balancer.https_listener_arn if load_balancer is not None else None,
                test_listener_arn=load_balancer.test_listener_arn if load_balancer is not None else None,
                alb_arn_suffix=load_balancer.alb_arn_suffix if load_balancer is not None else None,
                dependencies=load_balancer.attachments.get(name, []) if load_balancer is not None else [],
            )
        compute = Compute(
            self,
            "compute",
            name=prefix,
            region=region,
            config=environment.compute,
            services=services,
            wiring=wiring,
            private_subnet_ids=network.private_subnet_ids,
            kms_key_arn=key.key_arn,
            stack_values=values,
            partition=partition.partition,
        )

        self._outputs(
            key=key,
            network=network,
            registry=registry,
            load_balancer=load_balancer,
            database=database,
            cache=cache,
            secrets=secrets,
            compute=compute,
        )

    @staticmethod
    def _resolve_secrets(
        service: ServiceConfig, secrets: AppSecrets, database: Database | None, cache: Cache | None
    ) -> ResolvedSecrets:
        """Turn `secret:`, `ssm:`, `db:` and `redis:` references (checked by config.references) into ARNs."""
        resolved = ResolvedSecrets()
        for variable, reference in sorted(service.secrets.items()):
            kind, _, key = reference.partition(":")
            if kind == "secret":
                arn = secrets.secret_arns[key]
                resolved.value_from[variable] = arn
                resolved.secret_arns.append(arn)
            elif kind == "ssm":
                arn = secrets.parameter_arns[key]
                resolved.value_from[variable] = arn
                resolved.parameter_arns.append(arn)
            elif kind == "db" and database is not None:
                resolved.value_from[variable] = f"{database.master_secret_arn}:{key}::"
                resolved.secret_arns.append(database.master_secret_arn)
            elif kind == "redis" and cache is not None:
                resolved.value_from[variable] = cache.auth_token_secret_arn
                resolved.secret_arns.append(cache.auth_token_secret_arn)
        resolved.secret_arns = sorted(set(resolved.secret_arns))
        resolved.parameter_arns = sorted(set(resolved.parameter_arns))
        return resolved

    def _outputs(
        self,
        *,
        key: EncryptionKey,
        network: Network,
        registry: Registry,
        load_balancer: LoadBalancer | None,
        database: Database | None,
        cache: Cache | None,
        secrets: AppSecrets,
        compute: Compute,
    ) -> None:
        outputs: list[tuple[str, object, str]] = [
            ("kms_key_arn", key.key_arn, "CMK that encrypts this environment's data at rest and its log groups"),
            ("vpc_id", network.vpc_id, "VPC of this environment"),
            ("public_subnet_ids", network.public_subnet_ids, "Public subnets (ALB, NAT), one per AZ"),
            (
                "private_subnet_ids",
                network.private_subnet_ids,
                "Private application subnets (ECS tasks, endpoints), one per AZ",
            ),
            (
                "database_subnet_ids",
                network.database_subnet_ids,
                "Isolated database subnets (no internet route), one per AZ",
            ),
            ("nat_gateway_ids", network.nat_gateway_ids, "NAT gateways (empty when nat = none)"),
            ("ecr_repository_urls", registry.repository_urls, "ECR repository URL per service, for docker push"),
            (
                "image_tag_parameter_names",
                registry.deployed_tag_parameter_names,
                "SSM parameter per service that CI writes the deployed image tag to before applying",
            ),
            ("secret_arns", secrets.secret_arns, "ARNs (never values) of the application secrets"),
            ("parameter_arns", secrets.parameter_arns, "ARNs of the SSM parameters"),
            ("ecs_cluster_name", compute.cluster_name, "ECS cluster"),
            ("ecs_service_names", compute.service_names, "ECS service name per service"),
        ]
        if load_balancer is not None:
            outputs.append(("alb_dns_name", load_balancer.alb_dns_name, "DNS name of the ALB (CNAME/alias target)"))
        if database is not None:
            outputs += [
                ("db_endpoint", database.endpoint, "Writer endpoint of the database"),
                (
                    "db_reader_endpoint",
                    database.reader_endpoint,
                    "Reader endpoint (Aurora); the instance address for RDS PostgreSQL",
                ),
                (
                    "db_master_secret_arn",
                    database.master_secret_arn,
                    "ARN of the RDS-managed master-user secret (username and password)",
                ),
            ]
        if cache is not None:
            outputs += [
                ("redis_primary_endpoint", cache.primary_endpoint_address, "Redis primary endpoint address"),
                ("redis_auth_token_secret_arn", cache.auth_token_secret_arn, "ARN of the Redis AUTH token secret"),
            ]
        if compute.codedeploy_app_name is not None:
            outputs.append(("codedeploy_app_name", compute.codedeploy_app_name, "CodeDeploy application (blue/green)"))
        for name, value, description in outputs:
            TerraformOutput(self, name, value=value, description=description)
