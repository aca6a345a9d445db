"""Build the cdktf app for a config: bootstrap stack(s) first, then the stacks of each chosen environment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from cdktf import App

from config import BackendConfig, PlatformConfig
from stacks.bootstrap import BootstrapStack
from stacks.platform import environment_stacks

BOOTSTRAP = "bootstrap"


@dataclass(frozen=True)
class BackendGroup:
    """One state backend (bucket + table + region) and the environments that keep state in it."""

    stack_id: str
    backend: BackendConfig
    environments: tuple[str, ...]


def backend_groups(config: PlatformConfig) -> list[BackendGroup]:
    """Each distinct backend of the config; the project-wide `[backend]` is the stack `bootstrap`.

    An environment that overrides bucket, table or region gets its own `bootstrap-<env>` stack, since that
    backend may live in another account or region (seed 003 keeps one bucket per environment).
    """
    groups: dict[tuple[str, str, str], list[str]] = {}
    backends: dict[tuple[str, str, str], BackendConfig] = {}
    for environment in config.environments:
        backend = environment.backend
        identity = (backend.bucket, backend.lock_table, backend.region)
        groups.setdefault(identity, []).append(environment.name)
        if identity not in backends or backend.uses_dynamodb:
            backends[identity] = backend
    default = config.backend
    result = []
    for identity, names in groups.items():
        backend = backends[identity]
        is_default = identity == (default.bucket, default.lock_table, default.region)
        result.append(BackendGroup(BOOTSTRAP if is_default else f"{BOOTSTRAP}-{names[0]}", backend, tuple(names)))
    return result


def creates_github_oidc(config: PlatformConfig, group: BackendGroup) -> bool:
    """Whether the bootstrap stack of `group` owns the account's GitHub OIDC provider (an environment asks it to)."""
    return any(
        environment.delivery.enabled and environment.delivery.oidc_provider == "bootstrap"
        for environment in config.environments
        if environment.name in group.environments
    )


def build_app(config: PlatformConfig, environments: Sequence[str], outdir: str, project_dir: str) -> App:
    """All bootstrap stacks plus the stacks of each name in `environments` (in promotion order, each in its layout).

    `project_dir` is where bootstrap keeps its local state; the path written to the JSON is relative to the
    stack's own folder so it is the same on every machine.
    """
    app = App(outdir=outdir)
    for group in backend_groups(config):
        stack_dir = os.path.join(outdir, "stacks", group.stack_id)
        state_file = os.path.relpath(os.path.join(project_dir, f"terraform.{group.stack_id}.tfstate"), stack_dir)
        BootstrapStack(
            app,
            group.stack_id,
            project=config.project,
            backend=group.backend,
            environments=group.environments,
            state_file=state_file,
            github_oidc=creates_github_oidc(config, group),
        )
    for environment in config.environments:
        if environment.name in environments:
            environment_stacks(app, project=config.project, environment=environment)
    return app
