"""Account layer: which AWS account and partition the environment deploys into (data sources, no resources)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from constructs import Construct


@dataclass(frozen=True)
class AccountOutputs:
    """The deploying account and partition, as Terraform references."""

    account_id: str
    partition: str


def account_layer(scope: Construct) -> AccountOutputs:
    """Look up the caller's account and the partition (ARNs built elsewhere use both)."""
    identity = DataAwsCallerIdentity(scope, "caller")
    partition = DataAwsPartition(scope, "partition")
    return AccountOutputs(account_id=identity.account_id, partition=partition.partition)
