"""Delivery settings: the GitHub Actions OIDC trust, the deploy role and the Terraform roles of an environment."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
"""Issuer of GitHub Actions ID tokens; IAM names the provider (and its ARN) after it, once per account."""

GITHUB_AUDIENCE = "sts.amazonaws.com"
"""The audience aws-actions/configure-aws-credentials requests."""

REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
"""`owner/name` as GitHub allows them: an owner of 1-39 letters, digits and dashes, a repository name."""

GitRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9._/-]{1,255}$")]
"""A branch or GitHub environment name (no wildcards: the trust is for exactly this one)."""


class DeliveryConfig(ConfigModel):
    """GitHub Actions deploys this environment through OIDC: no long-lived AWS keys in GitHub."""

    enabled: bool = False
    """Create the deploy role and the Terraform plan/apply roles, trusted by the GitHub OIDC provider."""
    repository: str | None = None
    """The GitHub repository allowed to assume the roles, as `owner/name`."""
    branch: GitRef | None = None
    """Trust workflow runs on this branch (token subject `repo:owner/name:ref:refs/heads/<branch>`)."""
    github_environment: GitRef | None = None
    """Or trust jobs of this GitHub environment (subject `repo:owner/name:environment:<name>`), so its
    protection rules (required reviewers) gate every deploy; exactly one of `branch` and this."""
    plan_on_pull_requests: bool = False
    """Let pull-request runs of the repository assume the plan role: read-only, but it reads the account and this
    environment's secrets, so anyone who can open a branch in the repository can read them."""
    oidc_provider: Literal["bootstrap", "existing"] = "bootstrap"
    """Who owns the account's one GitHub OIDC provider: the backend's bootstrap stack creates it (the environment
    must then be in the backend's account), or it exists already (created by another backend or by hand)."""

    @model_validator(mode="after")
    def _trust(self) -> DeliveryConfig:
        if self.repository is not None and not REPOSITORY.match(self.repository):
            raise FieldError(
                "repository",
                f"{self.repository!r} is not a GitHub repository in owner/name form (e.g. 'acme/platform')",
            )
        if not self.enabled:
            return self
        if self.repository is None:
            raise FieldError("repository", "is required when delivery is enabled: the GitHub owner/name to trust")
        if (self.branch is None) == (self.github_environment is None):
            raise FieldError(
                "branch",
                "give exactly one of branch and github_environment: the single branch or GitHub environment "
                "whose workflow runs may deploy",
            )
        return self

    @property
    def subjects(self) -> tuple[str, ...]:
        """The token subjects the deploy and apply roles trust (exact matches)."""
        if self.github_environment is not None:
            return (f"repo:{self.repository}:environment:{self.github_environment}",)
        return (f"repo:{self.repository}:ref:refs/heads/{self.branch}",)

    @property
    def plan_subjects(self) -> tuple[str, ...]:
        """The subjects the plan role trusts: the deploy subjects, and pull requests when asked."""
        if self.plan_on_pull_requests:
            return (*self.subjects, f"repo:{self.repository}:pull_request")
        return self.subjects
