"""Backend, provider and version settings of every environment stack, and the bootstrap grouping."""

from __future__ import annotations

from collections.abc import Callable

from cdktf import Testing

from config import PlatformConfig
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


def test_versions_are_pinned_for_plain_terraform(reference_config: PlatformConfig) -> None:
    terraform = platform_json(reference_config, "dev")["terraform"]
    assert terraform["required_version"] == ">= 1.11, < 2.0"
    assert terraform["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": "~> 5.100.0"}


def test_provider_default_tags(reference_config: PlatformConfig) -> None:
    (provider,) = platform_json(reference_config, "stg")["provider"]["aws"]
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
    (provider,) = document["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["222222222222"]
    assert provider["assume_role"] == [
        {"role_arn": "arn:aws:iam::222222222222:role/platform-deploy", "session_name": "acme-prod"}
    ]
    groups = {group.stack_id: group.environments for group in backend_groups(config)}
    assert groups == {"bootstrap": ("dev", "stg"), "bootstrap-prod": ("prod",)}


def test_one_bootstrap_for_the_shared_backend(reference_config: PlatformConfig) -> None:
    (group,) = backend_groups(reference_config)
    assert group.stack_id == "bootstrap" and group.environments == ("dev", "stg", "prod")
