"""ECR repositories, one per service plus extras, with scan on push, encryption and an image-count lifecycle."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cdktf import Postcondition, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
)
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from constructs import Construct

from config.registry import RegistryConfig
from config.services import MOVING_TAG, NO_IMAGE_TAG


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
        deployed_tag_path: str | None = None,
        tracked_repositories: Sequence[str] = (),
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

        self.deployed_tags: dict[str, str] = {}
        """Per tracked repository, the tag CI last deployed, read from SSM at plan time (a Terraform reference)."""
        self.deployed_tag_parameter_names: dict[str, str] = {}
        if tracked_repositories and deployed_tag_path is None:
            raise ValueError("tracked_repositories need a deployed_tag_path for their SSM parameters")
        for repository_key in sorted(tracked_repositories):
            self._deployed_tag(repository_key, f"{deployed_tag_path}/{repository_key}", config, tags)

    def _deployed_tag(
        self, repository_key: str, parameter_name: str, config: RegistryConfig, tags: dict[str, str]
    ) -> None:
        """The SSM parameter CI writes each deployed tag to; Terraform creates it once and then only reads it.

        Terraform refreshes the parameter on every plan and ignores changes to its value, so an apply uses the
        tag CI wrote last: a platform change never rolls an application back or scales it to zero.
        """
        parameter = SsmParameter(
            self,
            f"{repository_key}_deployed_tag",
            name=parameter_name,
            type="String",
            insecure_value=NO_IMAGE_TAG,
            description=f"Image tag of {repository_key} to run; CI writes it, {NO_IMAGE_TAG} runs 0 tasks",
            lifecycle=TerraformResourceLifecycle(
                ignore_changes=["insecure_value"],
                postcondition=(
                    [
                        Postcondition(
                            condition=f'${{self.insecure_value != "{MOVING_TAG}"}}',
                            error_message=(
                                f"{parameter_name} is '{MOVING_TAG}', but the repository is IMMUTABLE: "
                                f"'{MOVING_TAG}' can be pushed only once; write each build's own tag (git SHA)."
                            ),
                        )
                    ]
                    if config.tag_mutability == "IMMUTABLE"
                    else None
                ),
            ),
            tags={"Name": parameter_name, **tags},
        )
        self.deployed_tags[repository_key] = parameter.insecure_value
        self.deployed_tag_parameter_names[repository_key] = parameter.name
