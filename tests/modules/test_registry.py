"""The registry module: one repository per service and extra, encryption, tag mutability, lifecycle, config errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from pydantic import ValidationError

from config.registry import RegistryConfig
from modules.registry import Registry
from tests.conftest import Json, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/12345678-1234-1234-1234-123456789012"


def registry_config(**fields: Any) -> RegistryConfig:
    if "extra_repositories" in fields:
        fields["extra_repositories"] = tuple(fields["extra_repositories"])
    return RegistryConfig.model_validate(fields)


def registry_json(
    config: RegistryConfig, repositories: tuple[str, ...] = ("api", "web"), kms_key_arn: str | None = KMS_KEY
) -> tuple[Json, Registry]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    registry = Registry(
        stack, "registry", name="acme-dev", config=config, repositories=repositories, kms_key_arn=kms_key_arn
    )
    return synth_json(stack), registry


def repositories_by_name(document: Json) -> dict[str, Json]:
    return {repository["name"]: repository for repository in resources(document, "aws_ecr_repository").values()}


def test_one_repository_per_service_and_extra() -> None:
    document, registry = registry_json(registry_config(extra_repositories=["migrate"]), ("web", "api", "worker"))
    assert sorted(repositories_by_name(document)) == [
        "acme-dev-api",
        "acme-dev-migrate",
        "acme-dev-web",
        "acme-dev-worker",
    ]
    assert sorted(registry.repository_urls) == sorted(registry.repository_arns) == ["api", "migrate", "web", "worker"]
    assert all(url.startswith("${") for url in registry.repository_urls.values())
    assert len(resources(document, "aws_ecr_lifecycle_policy")) == 4


def test_a_service_named_again_as_extra_gets_one_repository() -> None:
    document, _ = registry_json(registry_config(extra_repositories=["api"]), ("api",))
    assert list(repositories_by_name(document)) == ["acme-dev-api"]


def test_kms_encryption_uses_the_key() -> None:
    document, _ = registry_json(registry_config(encryption="KMS"))
    for repository in repositories_by_name(document).values():
        assert repository["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": KMS_KEY}]


def test_aes256_encryption_needs_no_key() -> None:
    document, _ = registry_json(registry_config(encryption="AES256"), kms_key_arn=None)
    for repository in repositories_by_name(document).values():
        assert repository["encryption_configuration"] == [{"encryption_type": "AES256"}]


def test_kms_encryption_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="encryption = 'KMS' needs kms_key_arn"):
        registry_json(registry_config(encryption="KMS"), kms_key_arn=None)


@pytest.mark.parametrize("mutability", ["MUTABLE", "IMMUTABLE"])
def test_tag_mutability_passes_through(mutability: str) -> None:
    document, _ = registry_json(registry_config(tag_mutability=mutability))
    assert {repository["image_tag_mutability"] for repository in repositories_by_name(document).values()} == {
        mutability
    }


def test_defaults_scan_on_push_and_refuse_to_delete_images() -> None:
    document, _ = registry_json(registry_config())
    for repository in repositories_by_name(document).values():
        assert repository["image_scanning_configuration"] == {"scan_on_push": True}
        assert repository["force_delete"] is False
        assert repository["image_tag_mutability"] == "MUTABLE"


def test_scan_and_force_delete_toggles() -> None:
    document, _ = registry_json(registry_config(scan_on_push=False, force_delete=True))
    for repository in repositories_by_name(document).values():
        assert repository["image_scanning_configuration"] == {"scan_on_push": False}
        assert repository["force_delete"] is True


@pytest.mark.parametrize("keep", [10, 30])
def test_lifecycle_policy_keeps_the_last_n_images(keep: int) -> None:
    document, _ = registry_json(registry_config(keep_last_images=keep))
    repository_ids = {f"${{aws_ecr_repository.{key}.name}}" for key in resources(document, "aws_ecr_repository")}
    policies = resources(document, "aws_ecr_lifecycle_policy").values()
    assert {policy["repository"] for policy in policies} == repository_ids
    for policy in policies:
        (rule,) = json.loads(policy["policy"])["rules"]
        assert rule["rulePriority"] == 1 and rule["action"] == {"type": "expire"}
        assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"keep_last_images": 0}, "keep_last_images\n  Input should be greater than or equal to 1"),
        ({"keep_last_images": 1001}, "less than or equal to 1000"),
        ({"encryption": "aws:kms"}, "Input should be 'KMS' or 'AES256'"),
        ({"tag_mutability": "mutable"}, "Input should be 'MUTABLE' or 'IMMUTABLE'"),
        ({"extra_repositories": ["Bad_Name"]}, "extra_repositories.0\n  String should match pattern"),
        ({"extra_repositories": ["tools", "tools"]}, "lists a repository twice"),
        ({"scan": True}, "Extra inputs are not permitted"),
    ],
)
def test_config_errors_name_the_problem(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        registry_config(**fields)


def test_registry_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    Registry(
        stack,
        "registry",
        name="acme-prod",
        config=registry_config(extra_repositories=["migrate"], tag_mutability="IMMUTABLE"),
        repositories=("api", "web", "worker"),
        kms_key_arn=KMS_KEY,
        deployed_tag_path="/acme/prod/image-tag",
        tracked_repositories=("api", "web"),
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)


def deployed_tag_json(mutability: str, tracked: tuple[str, ...] = ("api",)) -> tuple[Json, Registry]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    registry = Registry(
        stack,
        "registry",
        name="acme-dev",
        config=registry_config(tag_mutability=mutability),
        repositories=("api", "web"),
        kms_key_arn=KMS_KEY,
        deployed_tag_path="/acme/dev/image-tag",
        tracked_repositories=tracked,
    )
    return synth_json(stack), registry


@pytest.mark.parametrize("mutability", ["MUTABLE", "IMMUTABLE"])
def test_the_deployed_tag_is_created_once_and_then_read_never_written(mutability: str) -> None:
    document, registry = deployed_tag_json(mutability)
    ((key, parameter),) = resources(document, "aws_ssm_parameter").items()
    assert parameter["name"] == "/acme/dev/image-tag/api" and parameter["type"] == "String"
    assert parameter["insecure_value"] == "no-image-yet" and "value" not in parameter
    # CI writes the value; a platform apply reads it (refresh) and never resets it
    assert parameter["lifecycle"]["ignore_changes"] == ["insecure_value"]
    assert list(registry.deployed_tags) == ["api"] and key.startswith("registry_api_deployed_tag")
    postconditions = parameter["lifecycle"].get("postcondition", [])
    if mutability == "IMMUTABLE":
        assert [item["condition"] for item in postconditions] == ['${self.insecure_value != "latest"}']
        assert "IMMUTABLE" in postconditions[0]["error_message"]
    else:
        assert postconditions == []


def test_untracked_repositories_get_no_deployed_tag() -> None:
    document, registry = deployed_tag_json("MUTABLE", tracked=())
    assert resources(document, "aws_ssm_parameter") == {} and registry.deployed_tags == {}
    with pytest.raises(ValueError, match="need a deployed_tag_path"):
        Registry(
            TerraformStack(Testing.app(), "test"),
            "registry",
            name="acme-dev",
            config=registry_config(),
            repositories=("api",),
            kms_key_arn=KMS_KEY,
            tracked_repositories=("api",),
        )
