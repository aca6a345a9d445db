"""The network module: tiers, routing, NAT modes, endpoints and flow logs, with both sides of each toggle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cdktf import TerraformStack, Testing

from config import PlatformConfig
from config.network import NetworkConfig
from modules.network import Network
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate


def network_json(config: NetworkConfig, *, kms: str | None = None) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    Network(
        stack,
        "network",
        name="acme-dev",
        region="ap-northeast-1",
        config=config,
        account_id="123456789012",
        partition="aws",
        log_kms_key_arn=kms,
    )
    return synth_json(stack)


def network(config_with: Callable[[Json], PlatformConfig], **override: object) -> NetworkConfig:
    return config_with({"environments": {"dev": {"network": override}}}).environment("dev").network


def test_vpc_and_three_tiers_per_az(reference_config: PlatformConfig) -> None:
    document = network_json(reference_config.environment("dev").network)
    vpc = only(document, "aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16" and vpc["enable_dns_hostnames"] is True
    subnets = resources(document, "aws_subnet").values()
    assert sorted((s["tags"]["Tier"], s["availability_zone"], s["cidr_block"]) for s in subnets) == [
        ("database", "ap-northeast-1a", "10.0.64.0/20"),
        ("database", "ap-northeast-1c", "10.0.80.0/20"),
        ("private", "ap-northeast-1a", "10.0.32.0/20"),
        ("private", "ap-northeast-1c", "10.0.48.0/20"),
        ("public", "ap-northeast-1a", "10.0.0.0/20"),
        ("public", "ap-northeast-1c", "10.0.16.0/20"),
    ]
    assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    assert only(document, "aws_internet_gateway")["tags"]["Name"] == "acme-dev"


def test_default_security_group_has_no_rules(reference_config: PlatformConfig) -> None:
    default_sg = only(network_json(reference_config.environment("dev").network), "aws_default_security_group")
    assert "ingress" not in default_sg and "egress" not in default_sg


def default_routes(document: Json) -> list[Json]:
    return [
        route for route in resources(document, "aws_route").values() if route["destination_cidr_block"] == "0.0.0.0/0"
    ]


def test_nat_none_leaves_private_subnets_without_internet(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = network_json(network(config_with, nat="none"))
    assert resources(document, "aws_nat_gateway") == {} and resources(document, "aws_eip") == {}
    assert [route.get("gateway_id", "")[:22] for route in default_routes(document)] == ["${aws_internet_gateway"]


def test_nat_single_routes_every_az_through_one_gateway(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = network_json(network(config_with, nat="single"))
    (nat_id,) = resources(document, "aws_nat_gateway")
    assert len(resources(document, "aws_eip")) == 1
    private_routes = [route for route in default_routes(document) if "nat_gateway_id" in route]
    assert len(private_routes) == 2
    assert {route["nat_gateway_id"] for route in private_routes} == {f"${{aws_nat_gateway.{nat_id}.id}}"}


def test_nat_per_az_gives_each_az_its_own_gateway(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = network_json(network(config_with, nat="per_az", azs=["a", "c", "d"]))
    nats = resources(document, "aws_nat_gateway")
    assert len(nats) == 3 and len(resources(document, "aws_eip")) == 3
    private_routes = [route for route in default_routes(document) if "nat_gateway_id" in route]
    assert len({route["nat_gateway_id"] for route in private_routes}) == 3
    # one private route table per AZ whatever the NAT mode, so switching modes never replaces tables
    assert len(resources(document, "aws_route_table")) == 1 + 3 + 1


def test_az_count_drives_subnets_and_route_tables(config_with: Callable[[Json], PlatformConfig]) -> None:
    # One AZ is a valid network on its own (the platform refuses it when an ALB or a database needs two).
    one = network_json(NetworkConfig.model_validate({"cidr": "10.0.0.0/16", "azs": ("a",)}))
    three = network_json(network(config_with, azs=["a", "c", "d"]))
    assert len(resources(one, "aws_subnet")) == 3 and len(resources(three, "aws_subnet")) == 9
    assert len(resources(one, "aws_route_table_association")) == 3
    assert len(resources(three, "aws_route_table_association")) == 9


def test_gateway_endpoints_on_private_and_database_route_tables(reference_config: PlatformConfig) -> None:
    document = network_json(reference_config.environment("dev").network)
    gateways = [e for e in resources(document, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Gateway"]
    assert sorted(e["service_name"] for e in gateways) == [
        "com.amazonaws.ap-northeast-1.dynamodb",
        "com.amazonaws.ap-northeast-1.s3",
    ]
    assert all(len(e["route_table_ids"]) == 3 for e in gateways)


def test_interface_endpoints_with_https_only_security_group(reference_config: PlatformConfig) -> None:
    document = network_json(reference_config.environment("dev").network)
    interfaces = [e for e in resources(document, "aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Interface"]
    assert sorted(
        e["service_name"].rsplit(".", 1)[-1]
        if "ecr" not in e["service_name"]
        else e["service_name"].split("ap-northeast-1.")[1]
        for e in interfaces
    ) == ["ec2messages", "ecr.api", "ecr.dkr", "kms", "logs", "monitoring", "secretsmanager", "ssm", "ssmmessages"]
    assert all(e["private_dns_enabled"] is True and len(e["subnet_ids"]) == 2 for e in interfaces)
    rule = only(document, "aws_vpc_security_group_ingress_rule")
    assert (rule["from_port"], rule["to_port"], rule["ip_protocol"], rule["cidr_ipv4"]) == (
        443,
        443,
        "tcp",
        "10.0.0.0/16",
    )
    assert rule["description"]


def test_endpoints_off(config_with: Callable[[Json], PlatformConfig]) -> None:
    # with a NAT: without one, dev's services need their interface endpoints (config.service_checks)
    document = network_json(network(config_with, nat="single", interface_endpoints=[], gateway_endpoints=[]))
    assert resources(document, "aws_vpc_endpoint") == {}
    assert resources(document, "aws_security_group") == {}
    assert resources(document, "aws_vpc_security_group_ingress_rule") == {}


def test_flow_logs_to_encrypted_log_group(reference_config: PlatformConfig) -> None:
    document = network_json(reference_config.environment("dev").network, kms="arn:aws:kms:ap-northeast-1:1:key/x")
    log_group = only(document, "aws_cloudwatch_log_group")
    assert log_group["retention_in_days"] == 7 and log_group["kms_key_id"] == "arn:aws:kms:ap-northeast-1:1:key/x"
    flow_log = only(document, "aws_flow_log")
    assert flow_log["traffic_type"] == "ALL" and flow_log["log_destination_type"] == "cloud-watch-logs"
    policy = next(p for name, p in document["data"]["aws_iam_policy_document"].items() if "write" in name)
    assert policy["statement"][0]["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert all(resource != "*" for resource in policy["statement"][0]["resources"])


def test_flow_logs_off(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = network_json(network(config_with, flow_logs={"enabled": False}))
    assert resources(document, "aws_flow_log") == {} and resources(document, "aws_cloudwatch_log_group") == {}
    assert resources(document, "aws_iam_role") == {}


def test_network_module_validates_with_terraform(
    reference_config: PlatformConfig, tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    app, stack = module_test_stack(tmp_path)
    Network(
        stack,
        "network",
        name="acme-prod",
        region="ap-northeast-1",
        config=reference_config.environment("prod").network,
        account_id="123456789012",
        partition="aws",
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)
