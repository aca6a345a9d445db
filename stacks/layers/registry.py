"""Registry layer: one ECR repository per service and the parameters CI writes each deployed image tag to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from config import names
from modules.registry import Registry
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs


@dataclass(frozen=True)
class RegistryOutputs:
    """Per repository its URL and ARN; per tracked service the deployed tag (a reference) and its parameter."""

    repository_urls: Mapping[str, str]
    repository_arns: Mapping[str, str]
    deployed_tags: Mapping[str, str]
    deployed_tag_parameter_names: Mapping[str, str]


def registry_layer(scope: Construct, *, env: EnvironmentContext, encryption: EncryptionOutputs) -> RegistryOutputs:
    """Repositories for every enabled service plus `extra_repositories`; images are encrypted with the CMK."""
    config = env.config
    services = config.enabled_services
    registry = Registry(
        scope,
        "registry",
        name=env.prefix,
        config=config.registry,
        repositories=[*services, *config.registry.extra_repositories],
        kms_key_arn=encryption.kms_key_arn,
        # CI writes each deployed tag here and then applies; services with a pinned image_tag need none
        deployed_tag_path=names.image_tag_path(env.project.name, config.name),
        tracked_repositories=[name for name, service in services.items() if service.image_tag is None],
    )
    return RegistryOutputs(
        repository_urls=dict(registry.repository_urls),
        repository_arns=dict(registry.repository_arns),
        deployed_tags=dict(registry.deployed_tags),
        deployed_tag_parameter_names=dict(registry.deployed_tag_parameter_names),
    )
