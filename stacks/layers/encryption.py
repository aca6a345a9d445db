"""Encryption layer: the environment's customer-managed KMS key for data at rest and logs.

It comes before the network because the VPC flow logs are encrypted with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.kms import EncryptionKey
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext


@dataclass(frozen=True)
class EncryptionOutputs:
    """The CMK every encrypted resource and log group of the environment uses."""

    kms_key_arn: str


def encryption_layer(scope: Construct, *, env: EnvironmentContext, account: AccountOutputs) -> EncryptionOutputs:
    """One CMK per environment, protected from destroy where the environment is."""
    key = EncryptionKey(
        scope,
        "kms",
        alias=env.prefix,
        description=f"{env.prefix} data at rest and logs",
        account_id=account.account_id,
        partition=account.partition,
        region=env.region,
        protected=env.config.protected,
    )
    return EncryptionOutputs(kms_key_arn=key.key_arn)
