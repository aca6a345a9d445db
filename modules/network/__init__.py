"""VPC with public / private / database subnet tiers, NAT, gateway and interface endpoints, and flow logs."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
)
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from config.network import NetworkConfig
from modules.iam import service_trust_policy


class Network(Construct):
    """One VPC per environment: three subnet tiers over the AZs, routing, NAT, private endpoints, flow logs.

    Public subnets hold the ALB and NAT gateways; private subnets hold tasks and interface endpoints; database
    subnets have no route to the internet at all. Every tier keeps one route table per AZ in the private tier so
    that switching NAT between none, single and per-AZ only adds or removes routes, never route tables.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        region: str,
        config: NetworkConfig,
        account_id: str,
        partition: str,
        log_kms_key_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        self.azs = tuple(f"{region}{suffix}" for suffix in config.azs)

        vpc = Vpc(
            self,
            "vpc",
            cidr_block=str(config.cidr),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name, **tags},
        )
        self.vpc_id = vpc.id
        self.vpc_cidr_block = str(config.cidr)

        # An empty default SG: anything launched without an explicit SG gets no traffic at all.
        DefaultSecurityGroup(self, "default_sg", vpc_id=vpc.id, tags={"Name": f"{name}-default", **tags})

        igw = InternetGateway(self, "igw", vpc_id=vpc.id, tags={"Name": name, **tags})

        subnets: dict[str, list[Subnet]] = {}
        for tier in ("public", "private", "database"):
            subnets[tier] = [
                Subnet(
                    self,
                    f"{tier}_{suffix}",
                    vpc_id=vpc.id,
                    cidr_block=cidr,
                    availability_zone=az,
                    map_public_ip_on_launch=False,
                    tags={"Name": f"{name}-{tier}-{suffix}", "Tier": tier, **tags},
                )
                for suffix, az, cidr in zip(config.azs, self.azs, config.subnet_cidrs(tier), strict=True)
            ]
        self.public_subnet_ids = [subnet.id for subnet in subnets["public"]]
        self.private_subnet_ids = [subnet.id for subnet in subnets["private"]]
        self.database_subnet_ids = [subnet.id for subnet in subnets["database"]]

        public_rt = RouteTable(self, "public_rt", vpc_id=vpc.id, tags={"Name": f"{name}-public", **tags})
        Route(
            self, "public_default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id
        )
        for suffix, subnet in zip(config.azs, subnets["public"], strict=True):
            RouteTableAssociation(self, f"public_{suffix}_rta", subnet_id=subnet.id, route_table_id=public_rt.id)

        nat_ids = self._nat_gateways(name, config, subnets["public"], igw, tags)
        private_rts = []
        for index, (suffix, subnet) in enumerate(zip(config.azs, subnets["private"], strict=True)):
            route_table = RouteTable(
                self, f"private_{suffix}_rt", vpc_id=vpc.id, tags={"Name": f"{name}-private-{suffix}", **tags}
            )
            RouteTableAssociation(self, f"private_{suffix}_rta", subnet_id=subnet.id, route_table_id=route_table.id)
            if nat_ids:
                Route(
                    self,
                    f"private_{suffix}_default",
                    route_table_id=route_table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat_ids[min(index, len(nat_ids) - 1)],
                )
            private_rts.append(route_table)

        database_rt = RouteTable(self, "database_rt", vpc_id=vpc.id, tags={"Name": f"{name}-database", **tags})
        for suffix, subnet in zip(config.azs, subnets["database"], strict=True):
            RouteTableAssociation(self, f"database_{suffix}_rta", subnet_id=subnet.id, route_table_id=database_rt.id)
        self.private_route_table_ids = [route_table.id for route_table in private_rts]
        self.nat_gateway_ids = nat_ids

        for service in config.gateway_endpoints:
            VpcEndpoint(
                self,
                f"{service}_endpoint",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[*self.private_route_table_ids, database_rt.id],
                tags={"Name": f"{name}-{service}", **tags},
            )

        self.endpoint_security_group_id: str | None = None
        if config.interface_endpoints:
            self._interface_endpoints(name, region, config, vpc.id, tags)

        if config.flow_logs.enabled:
            self._flow_logs(
                name, config, vpc.id, log_kms_key_arn, tags, region=region, account=account_id, partition=partition
            )

    def _nat_gateways(
        self, name: str, config: NetworkConfig, public_subnets: list[Subnet], igw: InternetGateway, tags: dict[str, str]
    ) -> list[str]:
        count = {"none": 0, "single": 1, "per_az": len(config.azs)}[config.nat]
        nat_ids = []
        for suffix, subnet in list(zip(config.azs, public_subnets, strict=True))[:count]:
            eip = Eip(
                self, f"nat_{suffix}_eip", domain="vpc", depends_on=[igw], tags={"Name": f"{name}-nat-{suffix}", **tags}
            )
            nat = NatGateway(
                self,
                f"nat_{suffix}",
                allocation_id=eip.allocation_id,
                subnet_id=subnet.id,
                depends_on=[igw],
                tags={"Name": f"{name}-nat-{suffix}", **tags},
            )
            nat_ids.append(nat.id)
        return nat_ids

    def _interface_endpoints(
        self, name: str, region: str, config: NetworkConfig, vpc_id: str, tags: dict[str, str]
    ) -> None:
        security_group = SecurityGroup(
            self,
            "endpoints_sg",
            name=f"{name}-vpc-endpoints",
            vpc_id=vpc_id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags={"Name": f"{name}-vpc-endpoints", **tags},
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoints_https",
            security_group_id=security_group.id,
            description="HTTPS to AWS APIs from anything in the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=str(config.cidr),
        )
        self.endpoint_security_group_id = security_group.id
        for service in config.interface_endpoints:
            VpcEndpoint(
                self,
                f"{service.replace('.', '_').replace('-', '_')}_endpoint",
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[security_group.id],
                tags={"Name": f"{name}-{service}", **tags},
            )

    def _flow_logs(
        self,
        name: str,
        config: NetworkConfig,
        vpc_id: str,
        kms_key_arn: str | None,
        tags: dict[str, str],
        *,
        region: str,
        account: str,
        partition: str,
    ) -> None:
        log_group = CloudwatchLogGroup(
            self,
            "flow_logs",
            name=f"/aws/vpc/{name}/flow-logs",
            retention_in_days=config.flow_logs.retention_days,
            kms_key_id=kms_key_arn,
            tags=tags,
        )
        assume_policy = service_trust_policy(
            self,
            "flow_logs_assume",
            service="vpc-flow-logs.amazonaws.com",
            account_id=account,
            source_arn=f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*",
        )
        role = IamRole(self, "flow_logs_role", name=f"{name}-flow-logs", assume_role_policy=assume_policy, tags=tags)
        write = DataAwsIamPolicyDocument(
            self,
            "flow_logs_write",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteFlowLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[log_group.arn, f"{log_group.arn}:*"],
                )
            ],
        )
        IamRolePolicy(self, "flow_logs_policy", name="write-flow-logs", role=role.id, policy=write.json)
        FlowLog(
            self,
            "flow_log",
            vpc_id=vpc_id,
            traffic_type=config.flow_logs.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": f"{name}-flow-log", **tags},
        )
        self.flow_log_group_name = log_group.name
