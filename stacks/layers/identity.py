"""Identity layer: Cognito sign-in (user pool, SPA client, hosted UI, identity pool) when `[auth]` is enabled.

It comes after email, whose SES identity the pool sends through with `auth.email_sender = "ses"`, and before the
serverless API, whose JWT authorizer validates the pool's tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.identity import SesSender, UserPool
from stacks.layers.context import EnvironmentContext
from stacks.layers.email import EmailOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class IdentityOutputs:
    """The user pool and its SPA client; the identity pool's ids when it exists."""

    user_pool_id: str
    user_pool_arn: str
    issuer: str
    """The JWT issuer URL of the pool, `https://cognito-idp.<region>.amazonaws.com/<pool id>`."""
    client_id: str
    domain: str
    identity_pool_id: str | None
    authenticated_role_arn: str | None


def identity_layer(scope: Construct, *, env: EnvironmentContext, email: EmailOutputs | None) -> IdentityOutputs | None:
    """The environment's Cognito sign-in, or None without `auth.enabled`; with `email_sender = "ses"` its mail
    goes through the email layer's identity and configuration set."""
    config = env.config.auth
    if not config.enabled:
        return None
    ses = None
    if config.email_sender == "ses":
        assert email is not None, "an SES sender needs [email] (config.identity_checks)"
        address = config.from_address or email.sender
        ses = SesSender(
            domain=email.domain,
            from_email_address=f"{config.from_name} <{address}>" if config.from_name else address,
            configuration_set=email.configuration_set_name,
        )
    pool = UserPool(
        scope,
        "identity",
        name=env.prefix,
        region=env.region,
        config=config,
        domain_prefix=config.domain(env.prefix),
        protected=env.config.protected,
        ses=ses,
    )
    return IdentityOutputs(
        user_pool_id=pool.user_pool_id,
        user_pool_arn=pool.user_pool_arn,
        issuer=f"https://{pool.user_pool_endpoint}",
        client_id=pool.client_id,
        domain=pool.domain,
        identity_pool_id=pool.identity_pool_id,
        authenticated_role_arn=pool.authenticated_role_arn,
    )


def identity_outputs(identity: IdentityOutputs | None) -> list[StackOutput]:
    """What the SPA's build needs to sign users in (`.env` of seed 002): pool, client, hosted UI, identity pool."""
    if identity is None:
        return []
    outputs = [
        StackOutput("identity", "cognito_user_pool_id", identity.user_pool_id, "Cognito user pool of the SPA's users"),
        StackOutput(
            "identity",
            "cognito_user_pool_client_id",
            identity.client_id,
            "Public app client of the SPA (code flow, no secret)",
        ),
        StackOutput(
            "identity", "cognito_domain", identity.domain, "Host name of the Cognito hosted UI (sign-in and sign-out)"
        ),
        StackOutput(
            "identity", "cognito_issuer", identity.issuer, "JWT issuer URL of the user pool (for token validation)"
        ),
    ]
    if identity.identity_pool_id is not None:
        outputs.append(
            StackOutput(
                "identity",
                "cognito_identity_pool_id",
                identity.identity_pool_id,
                "Cognito identity pool (AWS credentials for signed-in users only)",
            )
        )
    return outputs
