"""What every layer of one environment knows: the project, the environment's config and the derived name prefix."""

from __future__ import annotations

from dataclasses import dataclass

from config import EnvironmentConfig, ProjectConfig


@dataclass(frozen=True)
class EnvironmentContext:
    """The project and one environment's validated config, as every layer receives them."""

    project: ProjectConfig
    config: EnvironmentConfig

    @property
    def prefix(self) -> str:
        """`{project}-{env}`, the prefix of every resource name in the environment."""
        return f"{self.project.name}-{self.config.name}"

    @property
    def region(self) -> str:
        """The AWS region the environment runs in."""
        return self.project.region
