"""Security groups as a least-privilege chain: ALB -> services -> database / Redis, with an optional bastion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from cdktf_cdktf_provider_aws.data_aws_ec2_managed_prefix_list import DataAwsEc2ManagedPrefixList
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from config.names import function_security_group_component
from config.security import SecurityConfig
from config.services import ServiceConfig

CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
"""AWS-managed prefix list of CloudFront's origin-facing addresses."""

POSTGRES_PORT = 5432
REDIS_PORT = 6379
HTTPS_PORT = 443
HTTP_PORT = 80
ANYWHERE = "0.0.0.0/0"

RESERVED = frozenset({"alb", "bastion", "batch", "database", "cache"})
"""Tier names; a service called one of these would share its security group's name."""


class SecurityGroups(Construct):
    """One security group per tier, chained by SG references so each tier accepts only the tier before it.

    The ALB takes 80 (redirect) and 443 from the internet, or 443 only from CloudFront's origin-facing prefix
    list; it may only send to the web services' ports. A web service accepts its port from the ALB only; every
    service (workers too) may send HTTPS anywhere (AWS APIs through endpoints or NAT) and reach the database and
    Redis. Batch jobs (with `batch`) get their own group: no ingress, HTTPS out, and the data tiers listed in
    `batch_data_access`. The database and Redis accept their port (`database_port` / `cache_port`, the ports they
    are configured to listen on) from the services, Batch and the bastion, and send nothing.
    Redis. The database and Redis accept their port (`database_port` / `cache_port`, the ports they are configured
    to listen on) from the services and the bastion, and send nothing.
    Lambda functions in the VPC (`functions`: key -> the stores it may reach) get a group each, like a worker:
    no ingress, HTTPS out, and the data-tier port of each store it names (the data tier admits it in turn).
    Rules are standalone rule resources (one per source), so adding a service never rewrites another's rules.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        vpc_id: str,
        config: SecurityConfig,
        services: Mapping[str, ServiceConfig],
        database: bool,
        cache: bool,
        database_port: int = POSTGRES_PORT,
        cache_port: int = REDIS_PORT,
        test_listener_port: int | None = None,
        vpc_cidr: str | None = None,
        batch: bool = False,
        batch_data_access: tuple[Literal["database", "cache"], ...] = (),
        functions: Mapping[str, tuple[Literal["database", "cache"], ...]] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._name = name
        self._vpc_id = vpc_id
        self._tags = dict(tags or {})
        enabled = {key: service for key, service in sorted(services.items()) if service.enabled}
        clash = sorted(RESERVED & set(enabled))
        if clash:
            raise ValueError(f"service name(s) {', '.join(clash)} clash with the security groups of the other tiers")

        alb = self._group("alb", "alb", "Application load balancer: HTTP/HTTPS in, service ports out")
        self.alb_security_group_id = alb.id
        self._ingress("alb_http", alb.id, HTTP_PORT, "HTTP from the internet (redirected to HTTPS)", cidr=ANYWHERE)
        if config.alb_ingress == "cloudfront":
            origin_facing = DataAwsEc2ManagedPrefixList(self, "cloudfront", name=CLOUDFRONT_PREFIX_LIST)
            self._ingress(
                "alb_https_cloudfront",
                alb.id,
                HTTPS_PORT,
                "HTTPS from CloudFront origin-facing addresses only",
                prefix_list=origin_facing.id,
            )
        else:
            self._ingress("alb_https", alb.id, HTTPS_PORT, "HTTPS from the internet", cidr=ANYWHERE)
        if test_listener_port is not None:
            # Blue/green test traffic comes from inside the VPC (deployment hooks, bastion), never the internet.
            if vpc_cidr is None:
                raise ValueError("a test listener port needs vpc_cidr, the only source allowed to reach it")
            self._ingress(
                "alb_test_listener",
                alb.id,
                test_listener_port,
                "Blue/green test listener from inside the VPC only",
                cidr=vpc_cidr,
            )

        self._services = enabled
        self.service_security_group_ids: dict[str, str] = {}
        for key, service in enabled.items():
            ident = key.replace("-", "_")
            group = self._group(ident, key, f"ECS service {key}: {self._service_summary(service)}")
            self.service_security_group_ids[key] = group.id
            if service.kind == "web" and service.port is not None:
                self._ingress(
                    f"{ident}_from_alb", group.id, service.port, f"Port {service.port} from the ALB", source=alb.id
                )
                self._egress(
                    f"alb_to_{ident}", alb.id, service.port, f"To service {key} on port {service.port}", target=group.id
                )
            self._egress(
                f"{ident}_https",
                group.id,
                HTTPS_PORT,
                "HTTPS to AWS APIs (VPC endpoints, NAT) and external HTTPS services",
                cidr=ANYWHERE,
            )

        self.bastion_security_group_id: str | None = None
        if config.bastion:
            bastion = self._group("bastion", "bastion", "Bastion reached through SSM Session Manager: no ingress")
            self.bastion_security_group_id = bastion.id
            self._egress("bastion_https", bastion.id, HTTPS_PORT, "HTTPS to SSM and other AWS APIs", cidr=ANYWHERE)

        self.batch_security_group_id: str | None = None
        self._batch_data_access = batch_data_access
        if batch:
            group = self._group("batch", "batch", "AWS Batch jobs on Fargate: no ingress")
            self.batch_security_group_id = group.id
            self._egress(
                "batch_https", group.id, HTTPS_PORT, "HTTPS to AWS APIs (VPC endpoints, NAT) and ECR", cidr=ANYWHERE
            )

        # Lambda functions in the VPC (serverless API): each its own group, HTTPS out, and the stores it names.
        self._functions = dict(sorted((functions or {}).items()))
        self._function_scope = Construct(self, "functions") if self._functions else self
        self.function_security_group_ids: dict[str, str] = {}
        for key in self._functions:
            group = self._group(
                key.replace("-", "_"),
                function_security_group_component(key),
                f"Lambda function {key}: no ingress",
                scope=self._function_scope,
            )
            self.function_security_group_ids[key] = group.id
            self._egress(
                f"{key.replace('-', '_')}_https",
                group.id,
                HTTPS_PORT,
                "HTTPS to AWS APIs (VPC endpoints, NAT) and external HTTPS services",
                cidr=ANYWHERE,
                scope=self._function_scope,
            )

        self.database_security_group_id: str | None = None
        if database:
            self.database_security_group_id = self._data_tier("database", "PostgreSQL", database_port)
        self.cache_security_group_id: str | None = None
        if cache:
            self.cache_security_group_id = self._data_tier("cache", "Redis", cache_port)

    @staticmethod
    def _service_summary(service: ServiceConfig) -> str:
        if service.kind == "web":
            return f"port {service.port} from the ALB only"
        return "worker, no ingress"

    def _data_tier(self, tier: Literal["database", "cache"], engine: str, port: int) -> str:
        """A data-tier SG accepting `port` from the services that use it and the bastion; it sends nothing."""
        group = self._group(tier, tier, f"{engine} {port} from the ECS services and the bastion only")
        for key, source in self.service_security_group_ids.items():
            if not self._services[key].reaches(tier):
                continue
            ident = key.replace("-", "_")
            self._ingress(f"{tier}_from_{ident}", group.id, port, f"{engine} from service {key}", source=source)
            self._egress(f"{ident}_to_{tier}", source, port, f"{engine} to the {tier}", target=group.id)
        if self.batch_security_group_id is not None and tier in self._batch_data_access:
            batch = self.batch_security_group_id
            self._ingress(f"{tier}_from_batch", group.id, port, f"{engine} from the Batch jobs", source=batch)
            self._egress(f"batch_to_{tier}", batch, port, f"{engine} to the {tier}", target=group.id)
        for key, source in self.function_security_group_ids.items():
            if tier not in self._functions[key]:
                continue
            ident = key.replace("-", "_")
            scope = self._function_scope
            self._ingress(
                f"{tier}_from_{ident}", group.id, port, f"{engine} from function {key}", source=source, scope=scope
            )
            self._egress(f"{ident}_to_{tier}", source, port, f"{engine} to the {tier}", target=group.id, scope=scope)
        if self.bastion_security_group_id is not None:
            self._ingress(
                f"{tier}_from_bastion",
                group.id,
                port,
                f"{engine} from the bastion (SSM port forwarding)",
                source=self.bastion_security_group_id,
            )
            self._egress(
                f"bastion_to_{tier}",
                self.bastion_security_group_id,
                port,
                f"{engine} to the {tier}",
                target=group.id,
            )
        return str(group.id)

    def _group(self, id_: str, component: str, description: str, *, scope: Construct | None = None) -> SecurityGroup:
        # No inline rules: Terraform removes AWS's default allow-all egress, and the rule resources below are
        # the whole policy.
        return SecurityGroup(
            scope or self,
            id_,
            name=f"{self._name}-{component}",
            description=description,
            vpc_id=self._vpc_id,
            revoke_rules_on_delete=True,
            tags={"Name": f"{self._name}-{component}", **self._tags},
        )

    def _ingress(
        self,
        id_: str,
        group_id: str,
        port: int,
        description: str,
        *,
        cidr: str | None = None,
        prefix_list: str | None = None,
        source: str | None = None,
        scope: Construct | None = None,
    ) -> None:
        VpcSecurityGroupIngressRule(
            scope or self,
            id_,
            security_group_id=group_id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            prefix_list_id=prefix_list,
            referenced_security_group_id=source,
            tags=self._tags or None,
        )

    def _egress(
        self,
        id_: str,
        group_id: str,
        port: int,
        description: str,
        *,
        cidr: str | None = None,
        target: str | None = None,
        scope: Construct | None = None,
    ) -> None:
        VpcSecurityGroupEgressRule(
            scope or self,
            id_,
            security_group_id=group_id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            referenced_security_group_id=target,
            tags=self._tags or None,
        )
