"""Checks across sections for sign-in and the serverless API: what `[auth]` and `[api]` refer to must exist."""

from __future__ import annotations

from collections.abc import Iterator

from config.base import FieldError
from config.identity import AuthConfig
from config.models import EnvironmentConfig, ProjectConfig
from config.names import function_name, function_security_group_component

MAX_FUNCTION_NAME = 64
"""Longest Lambda function (and IAM role) name."""


def check_identity(environment: EnvironmentConfig, project: ProjectConfig | None) -> Iterator[tuple[str, str]]:
    """Problems as (key path, message): an SES sender without a usable SES identity, JWT routes without a user
    pool, function names too long or taken by a service's security group, and a default hosted-UI domain Cognito
    would refuse. A function's `data_access` to a
    disabled store grants nothing, as for services."""
    auth, api = environment.auth, environment.api
    if auth.enabled and auth.email_sender == "ses":
        yield from _ses_sender(environment)
    if auth.enabled and auth.domain_prefix is None and project is not None:
        try:
            AuthConfig.check_domain_prefix(f"{project.name}-{environment.name}", "domain_prefix")
        except FieldError as error:
            yield f"auth.{error.key}", f"the default {error.message}; set auth.domain_prefix"
    if not api.enabled:
        return
    for key, route in api.routes.items():
        if route.authorization == "jwt" and not auth.enabled:
            yield (
                f"api.routes.{key}.authorization",
                "'jwt' validates tokens of the environment's Cognito user pool, but auth.enabled is false; "
                "enable [auth] or use authorization = 'none'",
            )
    for name, function in api.functions.items():
        if project is not None:
            full = function_name(f"{project.name}-{environment.name}", name)
            if len(full) > MAX_FUNCTION_NAME:
                yield (
                    f"api.functions.{name}",
                    f"the function and its role would be named {full!r} ({len(full)} characters); Lambda and IAM "
                    f"allow {MAX_FUNCTION_NAME}: shorten the key",
                )
        component = function_security_group_component(name)
        if function.vpc and component in environment.enabled_services:
            yield (
                f"api.functions.{name}",
                f"its security group would be named like the one of service '{component}'; rename one of them",
            )


def _ses_sender(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """Cognito's DEVELOPER mode needs the environment's SES identity, verified through its DKIM records, and a From
    address that identity covers."""
    auth, email = environment.auth, environment.email
    if not email.enabled or email.domain is None:
        yield (
            "auth.email_sender",
            "'ses' sends through the environment's SES identity, but email.enabled is false; enable [email] "
            "(with its domain) or use email_sender = 'cognito'",
        )
        return
    if not email.dkim:
        yield (
            "auth.email_sender",
            "'ses' needs the identity verified, and it verifies through its DKIM records, but email.dkim is false; "
            "set email.dkim = true or use email_sender = 'cognito'",
        )
    if auth.from_address is not None and auth.from_address.rpartition("@")[2] != email.domain:
        yield (
            "auth.from_address",
            f"{auth.from_address!r} is not in the SES identity's domain {email.domain} (email.domain); "
            f"use an address @{email.domain}",
        )
