"""Maintenance layer: the SSM-only bastion in the private tier, in the bastion group the security layer made."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.bastion import Bastion, SessionTarget
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.security import SecurityOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class BastionOutputs:
    """The bastion instance (the target of `aws ssm start-session`)."""

    instance_id: str
    session_document_name: str | None
    """The Session document shell sessions start with (`--document-name`), when session logging is on."""
    session_log_group_name: str | None


def bastion_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
) -> BastionOutputs | None:
    """The bastion when `security.bastion` is on (its group may already open the database and Redis), else None."""
    if security.bastion_security_group_id is None:
        return None
    bastion = Bastion(
        scope,
        "bastion",
        name=env.prefix,
        config=env.config.bastion,
        subnet_id=network.private_subnet_ids[0],
        security_group_id=security.bastion_security_group_id,
        kms_key_arn=encryption.kms_key_arn,
        partition=account.partition,
        session_target=SessionTarget(account_id=account.account_id, region=env.region),
    )
    return BastionOutputs(
        instance_id=bastion.instance_id,
        session_document_name=bastion.session_document_name,
        session_log_group_name=bastion.session_log_group_name,
    )


def bastion_outputs(bastion: BastionOutputs | None) -> list[StackOutput]:
    """`bastion_instance_id` when the bastion exists."""
    if bastion is None:
        return []
    return [
        StackOutput(
            "bastion",
            "bastion_instance_id",
            bastion.instance_id,
            "Bastion instance for `aws ssm start-session` port forwarding to the database and Redis",
        )
    ]
