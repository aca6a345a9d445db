"""ECR repositories, one per service plus extras, with scan on push, encryption and an image-count lifecycle."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
)
from constructs import Construct

from config.registry import RegistryConfig


def lifecycle_policy(keep_last_images: int) -> str:
    """The ECR lifecycle policy document that expires every image but the newest `keep_last_images`."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Keep the last {keep_last_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_last_images,
                    },
                    "action": {"type": "expire"},
                }
            ]
        },
        sort_keys=True,
    )


class Registry(Construct):
    """One ECR repository per name in `repositories` and `config.extra_repositories`, all configured alike.

    Repositories are named `{name}-{repository}` (e.g. `acme-prod-api`), following `{project}-{env}-{component}`
    and seed 004's `bookmark-manager-prod-web`; each environment owns its repositories, so promoting an image
    between environments is a pull/push (or ECR replication), never a shared mutable tag. The construct id of a
    repository is its name, so adding or removing a service never touches the other repositories.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: RegistryConfig,
        repositories: Sequence[str],
        kms_key_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        if config.encryption == "KMS" and kms_key_arn is None:
            raise ValueError("registry encryption = 'KMS' needs kms_key_arn (or set encryption = 'AES256')")
        encryption = (
            EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)
            if config.encryption == "KMS"
            else EcrRepositoryEncryptionConfiguration(encryption_type="AES256")
        )
        policy = lifecycle_policy(config.keep_last_images)

        self.repository_names: dict[str, str] = {}
        self.repository_urls: dict[str, str] = {}
        self.repository_arns: dict[str, str] = {}
        for repository_key in sorted({*repositories, *config.extra_repositories}):
            repository_name = f"{name}-{repository_key}"
            repository = EcrRepository(
                self,
                repository_key,
                name=repository_name,
                image_tag_mutability=config.tag_mutability,
                image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=config.scan_on_push),
                encryption_configuration=[encryption],
                force_delete=config.force_delete,
                tags={"Name": repository_name, **tags},
            )
            EcrLifecyclePolicy(self, f"{repository_key}_lifecycle", repository=repository.name, policy=policy)
            self.repository_names[repository_key] = repository.name
            self.repository_urls[repository_key] = repository.repository_url
            self.repository_arns[repository_key] = repository.arn
