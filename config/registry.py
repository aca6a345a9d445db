"""Container registry settings: one ECR repository per service plus extras, scanning, encryption, retention."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError
from config.services import ServiceName


class RegistryConfig(ConfigModel):
    """ECR repositories of an environment: one per service plus `extra_repositories`, all set up alike."""

    extra_repositories: tuple[ServiceName, ...] = ()
    """Repositories beyond those of the services, e.g. a migration or batch image."""
    encryption: Literal["KMS", "AES256"] = "KMS"
    """KMS uses the environment's CMK; AES256 is ECR's S3-managed encryption. Changing it replaces the repository."""
    tag_mutability: Literal["MUTABLE", "IMMUTABLE"] = "MUTABLE"
    """MUTABLE lets `latest` (the default image_tag) move; IMMUTABLE stops pushes replacing a tag tasks pin."""
    keep_last_images: int = Field(default=30, ge=1, le=1000)
    """Lifecycle policy: expire all but the newest N images (tagged or not) in each repository."""
    scan_on_push: bool = True
    """Basic vulnerability scan of every pushed image."""
    force_delete: bool = False
    """Let `terraform destroy` delete repositories that still hold images; keep false in prod."""

    @model_validator(mode="after")
    def _unique(self) -> RegistryConfig:
        if len(set(self.extra_repositories)) != len(self.extra_repositories):
            raise FieldError("extra_repositories", f"{list(self.extra_repositories)} lists a repository twice")
        return self
