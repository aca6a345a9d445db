"""Network layer: the VPC with its public, private and database subnet tiers, NAT, endpoints and flow logs."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.network import Network
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs


@dataclass(frozen=True)
class NetworkOutputs:
    """The VPC and its subnet tiers (one subnet per AZ in each tier)."""

    vpc_id: str
    vpc_cidr_block: str
    public_subnet_ids: tuple[str, ...]
    """Internet-facing tier: the ALB and the NAT gateways."""
    private_subnet_ids: tuple[str, ...]
    """Application tier: ECS tasks, Redis, interface endpoints."""
    database_subnet_ids: tuple[str, ...]
    """Isolated tier without an internet route: the database."""
    nat_gateway_ids: tuple[str, ...]


def network_layer(
    scope: Construct, *, env: EnvironmentContext, account: AccountOutputs, encryption: EncryptionOutputs
) -> NetworkOutputs:
    """Build the environment's VPC from `[network]`; flow logs are encrypted with the environment's CMK."""
    network = Network(
        scope,
        "network",
        name=env.prefix,
        region=env.region,
        config=env.config.network,
        account_id=account.account_id,
        partition=account.partition,
        log_kms_key_arn=encryption.kms_key_arn,
    )
    return NetworkOutputs(
        vpc_id=network.vpc_id,
        vpc_cidr_block=network.vpc_cidr_block,
        public_subnet_ids=tuple(network.public_subnet_ids),
        private_subnet_ids=tuple(network.private_subnet_ids),
        database_subnet_ids=tuple(network.database_subnet_ids),
        nat_gateway_ids=tuple(network.nat_gateway_ids),
    )
