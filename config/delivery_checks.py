"""Checks of the delivery, maintenance and email parts: what an account holds once (the GitHub OIDC provider, an
SES identity per domain), and the bastion's path to SSM."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from config.models import EnvironmentConfig

SSM_ENDPOINTS = ("ssm", "ssmmessages", "ec2messages")
"""Interface endpoints the SSM agent needs when the private subnets have no NAT route."""


def check_maintenance(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """A bastion without NAT reaches Session Manager only through the SSM endpoints."""
    network = environment.network
    if environment.security.bastion and network.nat == "none":
        missing = [name for name in SSM_ENDPOINTS if name not in network.interface_endpoints]
        if missing:
            yield (
                "network.interface_endpoints",
                f"lacks {', '.join(missing)}: with nat = 'none' the bastion (security.bastion) reaches Session "
                f"Manager only through the {', '.join(SSM_ENDPOINTS)} endpoints",
            )


def check_github_oidc(environments: Sequence[EnvironmentConfig]) -> Iterator[tuple[str, str, str]]:
    """(environment, key path, message) for each environment whose OIDC provider would collide or miss its account.

    IAM holds one GitHub provider per account. With `oidc_provider = "bootstrap"` the bootstrap stack of the
    environment's backend creates it in the backend's account, so the environment must deploy there. Two
    backends whose bootstrap stacks would both create it collide when their accounts are the same or both
    unknown (seed 003's bucket per environment in one account); an account named on one side
    (`backend.account_id`, `backend.role_arn` or the environment's `account_id`) says they differ.
    """
    creators: dict[tuple[str, str, str], EnvironmentConfig] = {}
    for environment in environments:
        delivery, backend = environment.delivery, environment.backend
        if not (delivery.enabled and delivery.oidc_provider == "bootstrap"):
            continue
        path = f"environments.{environment.name}.delivery.oidc_provider"
        state_account = backend.state_account_id
        if environment.account_id and state_account and environment.account_id != state_account:
            yield (
                environment.name,
                path,
                f"'bootstrap' creates the provider in the backend's account {state_account}, but this environment "
                f"deploys to {environment.account_id}; use 'existing' and create it there once",
            )
            continue
        creators.setdefault((backend.bucket, backend.lock_table, backend.region), environment)
    owners = list(creators.values())
    for index, second in enumerate(owners):
        for first in owners[:index]:
            ours = second.backend.state_account_id or second.account_id
            theirs = first.backend.state_account_id or first.account_id
            if ours == theirs:
                where = "possibly the same account" if ours is None else f"account {ours}"
                yield (
                    second.name,
                    f"environments.{second.name}.delivery.oidc_provider",
                    f"'bootstrap' would make the bootstrap stacks of {first.name}'s and {second.name}'s backends "
                    f"both create the GitHub OIDC provider in {where}, and IAM holds one per account; set "
                    f"'existing' here, or give both backends an account_id to show they differ",
                )
                break


def check_account_singletons(environments: Sequence[EnvironmentConfig]) -> Iterator[tuple[str, str, str]]:
    """(environment, key path, message) for everything two environments would both create in one account."""
    yield from check_github_oidc(environments)
    yield from check_email_domains(environments)


def check_email_domains(environments: Sequence[EnvironmentConfig]) -> Iterator[tuple[str, str, str]]:
    """SES holds one identity per domain, account and region: two environments may share a domain only when
    both name different accounts."""
    senders = [environment for environment in environments if environment.email.enabled]
    for index, second in enumerate(senders):
        for first in senders[:index]:
            if first.email.domain != second.email.domain:
                continue
            if first.account_id and second.account_id and first.account_id != second.account_id:
                continue
            yield (
                second.name,
                f"environments.{second.name}.email.domain",
                f"{second.email.domain} is also {first.name}'s email domain: both environments would create its SES "
                f"identity in possibly the same account, which holds one per domain; use a subdomain such as "
                f"{second.name}.{second.email.domain}, or set both account_ids if they differ",
            )
            break
