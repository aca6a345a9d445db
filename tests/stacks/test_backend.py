"""Backend, provider and version settings of every environment stack, and the bootstrap grouping."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from cdktf import Testing

from config import ConfigError, PlatformConfig, build_config
from config.loader import deep_merge
from stacks.app import backend_groups
from stacks.platform import PlatformStack
from tests.conftest import Json, synth_json


def platform_json(config: PlatformConfig, name: str) -> Json:
    app = Testing.app()
    stack = PlatformStack(app, name, project=config.project, environment=config.environment(name))
    return synth_json(stack)


def test_every_environment_shares_bucket_and_table_with_its_own_key(reference_config: PlatformConfig) -> None:
    backends = {
        name: platform_json(reference_config, name)["terraform"]["backend"]["s3"]
        for name in reference_config.environment_names
    }
    assert {b["bucket"] for b in backends.values()} == {"acme-terraform-state-apne1"}
    assert {b["dynamodb_table"] for b in backends.values()} == {"acme-terraform-locks"}
    assert {name: b["key"] for name, b in backends.items()} == {
        "dev": "acme/dev/platform.tfstate",
        "stg": "acme/stg/platform.tfstate",
        "prod": "acme/prod/platform.tfstate",
    }
    assert all(b["encrypt"] is True and b["region"] == "ap-northeast-1" for b in backends.values())
    assert all("use_lockfile" not in b and "assume_role" not in b for b in backends.values())


def test_state_is_written_under_the_state_key_not_sse_s3(reference_config: PlatformConfig) -> None:
    """`encrypt` alone makes Terraform send AES256 on every state write; `kms_key_id` makes it SSE-KMS with the
    bootstrap CMK. No account in the config: the alias, which S3 resolves in the writer's (= bucket's) account."""
    for name in reference_config.environment_names:
        backend = platform_json(reference_config, name)["terraform"]["backend"]["s3"]
        assert backend["encrypt"] is True
        assert backend["kms_key_id"] == "alias/acme-terraform-state-apne1-state"


def test_state_key_alias_arn_when_the_backend_account_is_known(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "backend": {"account_id": "111111111111"},
            "environments": {
                "prod": {
                    "backend": {
                        "bucket": "acme.prod.state",
                        "account_id": "222222222222",
                        "role_arn": "arn:aws:iam::222222222222:role/terraform-state",
                    }
                }
            },
        }
    )
    kms = {name: platform_json(config, name)["terraform"]["backend"]["s3"]["kms_key_id"] for name in ("dev", "prod")}
    assert kms == {
        "dev": "arn:aws:kms:ap-northeast-1:111111111111:alias/acme-terraform-state-apne1-state",
        "prod": "arn:aws:kms:ap-northeast-1:222222222222:alias/acme-prod-state-state",  # no dots in KMS aliases
    }


def test_state_key_account_and_partition_from_the_role() -> None:
    from config import BackendConfig

    backend = BackendConfig(
        bucket="acme-state", lock_table="locks", region="cn-north-1", role_arn="arn:aws-cn:iam::333333333333:role/s"
    )
    assert backend.state_kms_key_id == "arn:aws-cn:kms:cn-north-1:333333333333:alias/acme-state-state"
    gov = BackendConfig(bucket="acme-state", lock_table="locks", region="us-gov-west-1", account_id="444444444444")
    assert gov.state_kms_key_id == "arn:aws-us-gov:kms:us-gov-west-1:444444444444:alias/acme-state-state"


def test_backend_account_must_be_the_role_account(reference_document: Json) -> None:
    document = deep_merge(
        copy.deepcopy(reference_document),
        {"backend": {"account_id": "111111111111", "role_arn": "arn:aws:iam::222222222222:role/terraform-state"}},
    )
    with pytest.raises(ConfigError) as caught:
        build_config(document, "environments.toml")
    problems = [str(problem) for problem in caught.value.problems]
    assert len(problems) == 1, problems
    expected = "backend.role_arn: role is in account 222222222222 but the backend's account_id is 111111111111"
    assert expected in problems[0]
    assert problems[0].startswith("environments.toml")


def test_versions_are_pinned_for_plain_terraform(reference_config: PlatformConfig) -> None:
    terraform = platform_json(reference_config, "dev")["terraform"]
    assert terraform["required_version"] == ">= 1.11, < 2.0"
    assert terraform["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "~> 5.100.0"}


def test_provider_default_tags(reference_config: PlatformConfig) -> None:
    provider, us_east_1 = platform_json(reference_config, "stg")["provider"]["aws"]
    # the CloudFront certificate and web ACL's provider: same tags, only region and alias differ
    assert us_east_1 == {**provider, "region": "us-east-1", "alias": "us_east_1"}
    assert provider["region"] == "ap-northeast-1"
    assert provider["default_tags"] == [
        {
            "tags": {
                "Project": "acme",
                "Environment": "stg",
                "ManagedBy": "cdktf",
                "CostCenter": "platform",
                "Owner": "platform-team",
            }
        }
    ]
    assert "assume_role" not in provider and "allowed_account_ids" not in provider


def test_lockfile_only_drops_the_table(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"dev": {"backend": {"locking": "lockfile"}}}})
    backend = platform_json(config, "dev")["terraform"]["backend"]["s3"]
    assert backend["use_lockfile"] is True
    assert "dynamodb_table" not in backend


def test_both_locks_for_migration(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"backend": {"locking": "both"}})
    backend = platform_json(config, "prod")["terraform"]["backend"]["s3"]
    assert backend["use_lockfile"] is True
    assert backend["dynamodb_table"] == "acme-terraform-locks"


def test_prod_in_its_own_account_with_its_own_backend(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "prod": {
                    "account_id": "222222222222",
                    "deploy_role_arn": "arn:aws:iam::222222222222:role/platform-deploy",
                    "backend": {
                        "bucket": "acme-prod-state",
                        "lock_table": "acme-prod-locks",
                        "role_arn": "arn:aws:iam::222222222222:role/terraform-state",
                    },
                }
            }
        }
    )
    document = platform_json(config, "prod")
    backend = document["terraform"]["backend"]["s3"]
    assert backend["bucket"] == "acme-prod-state" and backend["dynamodb_table"] == "acme-prod-locks"
    assert backend["assume_role"] == {"role_arn": "arn:aws:iam::222222222222:role/terraform-state"}
    provider, us_east_1 = document["provider"]["aws"]
    assert us_east_1 == {**provider, "region": "us-east-1", "alias": "us_east_1"}
    assert provider["allowed_account_ids"] == ["222222222222"]
    assert provider["assume_role"] == [
        {"role_arn": "arn:aws:iam::222222222222:role/platform-deploy", "session_name": "acme-prod"}
    ]
    groups = {group.stack_id: group.environments for group in backend_groups(config)}
    assert groups == {"bootstrap": ("dev", "stg"), "bootstrap-prod": ("prod",)}


def test_one_bootstrap_for_the_shared_backend(reference_config: PlatformConfig) -> None:
    (group,) = backend_groups(reference_config)
    assert group.stack_id == "bootstrap" and group.environments == ("dev", "stg", "prod")
