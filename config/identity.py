"""Sign-in for the SPA: the Cognito user pool, its client and hosted UI, and the identity pool (seeds 000, 002).

The fixed settings (email as username, password classes, TOTP, recovery by verified email, SRP + refresh, code
flow, no client secret, token revocation, no user-existence errors) are the seeds' and not configurable; the
config holds what differs per environment: URLs, token lifetimes, password length, MFA mode.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError
from config.email import EmailAddress

LOCAL_HOSTS = ("localhost", "127.0.0.1")
"""Hosts Cognito (and we) accept over plain http, for local development of the SPA."""

RESERVED_DOMAIN_WORDS = ("aws", "amazon", "cognito")
"""Words a Cognito hosted-UI domain prefix may not contain."""

DomainPrefix = Annotated[str, Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
"""A Cognito hosted-UI domain prefix: lowercase letters, digits and inner dashes, at most 63 characters."""

Url = Annotated[str, Field(min_length=1, max_length=1024)]

DisplayName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._&'-]{0,63}$")]
"""The name shown before the sender address (`Acme <no-reply@acme.example>`): letters, digits, spaces, `._&'-`."""


def url_problem(url: str) -> str | None:
    """Why Cognito would refuse `url` as a callback or logout URL, or None."""
    parts = urlsplit(url)
    if parts.fragment:
        return f"{url!r} has a fragment (#...); Cognito refuses callback URLs with one"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return None
    return f"{url!r} is not an https URL; only https is allowed (http only for {', '.join(LOCAL_HOSTS)})"


class AuthConfig(ConfigModel):
    """Cognito user pool, SPA client, hosted-UI domain and identity pool of the environment."""

    enabled: bool = False
    """Whether the environment has the user pool, client, domain and identity pool."""
    callback_urls: tuple[Url, ...] = ()
    """Where the hosted UI may redirect after sign-in (the code flow needs at least one); https, or
    http://localhost for local development."""
    logout_urls: tuple[Url, ...] = ()
    """Where the hosted UI may redirect after sign-out; same rules as callback_urls."""
    domain_prefix: DomainPrefix | None = None
    """Hosted-UI domain `<prefix>.auth.<region>.amazoncognito.com`, unique per region across AWS; default
    `{project}-{env}`."""
    password_minimum_length: int = Field(default=8, ge=8, le=99)
    """Minimum password length; lowercase, uppercase, digits and symbols are always required."""
    mfa: Literal["OPTIONAL", "ON"] = "OPTIONAL"
    """TOTP (authenticator app) MFA: users may enrol (OPTIONAL, the seeds), or must (ON)."""
    access_token_hours: int = Field(default=1, ge=1, le=24)
    """Lifetime of access tokens."""
    id_token_hours: int = Field(default=1, ge=1, le=24)
    """Lifetime of ID tokens."""
    refresh_token_days: int = Field(default=30, ge=1, le=3650)
    """Lifetime of refresh tokens (the longest a user stays signed in without entering the password)."""
    identity_pool: bool = True
    """An identity pool (AWS credentials for signed-in users only) with its authenticated role."""
    email_sender: Literal["cognito", "ses"] = "cognito"
    """Who sends sign-up codes and password resets: `cognito` (its default sender no-reply@verificationemail.com,
    a small daily quota) or `ses`: the environment's `[email]` identity (Cognito's DEVELOPER mode, SES quotas;
    an SES account still in the sandbox delivers only to verified addresses)."""
    from_name: DisplayName | None = None
    """With `ses`: the name shown before the address, e.g. "Acme" -> `Acme <no-reply@acme.example>`."""
    from_address: EmailAddress | None = None
    """With `ses`: the From address, in `email.domain`; default `<email.from_address>@<email.domain>`."""

    @model_validator(mode="after")
    def _urls(self) -> AuthConfig:
        for key in ("callback_urls", "logout_urls"):
            urls: tuple[str, ...] = getattr(self, key)
            for index, url in enumerate(urls):
                problem = url_problem(url)
                if problem is not None:
                    raise FieldError(f"{key}[{index}]", problem)
            if len(set(urls)) != len(urls):
                raise FieldError(key, f"{list(urls)} lists a URL twice")
        if self.enabled and not self.callback_urls:
            raise FieldError(
                "callback_urls",
                "the SPA client uses the authorization-code flow, which needs at least one callback URL",
            )
        if self.domain_prefix is not None:
            self.check_domain_prefix(self.domain_prefix, "domain_prefix")
        if self.email_sender == "cognito":
            for key in ("from_name", "from_address"):
                if getattr(self, key) is not None:
                    raise FieldError(key, "is used only with email_sender = 'ses' (Cognito's default sender is fixed)")
        return self

    @staticmethod
    def check_domain_prefix(prefix: str, key: str) -> None:
        """Reject a hosted-UI prefix with a word Cognito reserves."""
        for word in RESERVED_DOMAIN_WORDS:
            if word in prefix:
                raise FieldError(
                    key,
                    f"{prefix!r} contains '{word}'; Cognito domain prefixes may not contain "
                    f"{', '.join(RESERVED_DOMAIN_WORDS)}",
                )

    def domain(self, default: str) -> str:
        """The hosted-UI domain prefix: the configured one, or `default` (`{project}-{env}`)."""
        return self.domain_prefix or default
