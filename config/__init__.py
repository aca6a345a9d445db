"""Typed, frozen configuration built from environments.toml (merged defaults + per-environment overrides)."""

from config.errors import ConfigError, ConfigProblem
from config.loader import build_config, load_config
from config.models import BackendConfig, EnvironmentConfig, PlatformConfig, ProjectConfig

__all__ = [
    "BackendConfig",
    "ConfigError",
    "ConfigProblem",
    "EnvironmentConfig",
    "PlatformConfig",
    "ProjectConfig",
    "build_config",
    "load_config",
]
