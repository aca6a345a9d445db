"""GitHub Actions delivery: the account's OIDC provider, and per environment a deploy role and Terraform roles."""

from modules.delivery.deploy import DeployRole, DeployTargets
from modules.delivery.oidc import GithubOidcProvider, github_oidc_provider_arn, github_trust_policy
from modules.delivery.terraform import StateAccess, TerraformRoles

__all__ = [
    "DeployRole",
    "DeployTargets",
    "GithubOidcProvider",
    "StateAccess",
    "TerraformRoles",
    "github_oidc_provider_arn",
    "github_trust_policy",
]
