"""Parse environments.toml, merge defaults into each environment, validate, and report every problem at once."""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from itertools import combinations
from typing import Any

from pydantic import BaseModel, ValidationError

from config.base import FieldError
from config.delivery_checks import check_account_singletons
from config.edge import check_edge_across
from config.errors import ConfigError, ConfigProblem
from config.limits import check_project_names
from config.medical import MEDICAL_DEFAULTS
from config.models import ENVIRONMENT_NAMES, BackendConfig, EnvironmentConfig, PlatformConfig, ProjectConfig
from config.references import check_environment
from config.source import check_depth, too_deep_to_parse

TOP_LEVEL_KEYS = ("project", "backend", "defaults", "environments")
"""The tables environments.toml may contain."""

INTERNAL_FIELDS = frozenset({"name"})
"""EnvironmentConfig fields the loader fills in; they are not keys a user writes."""


def load_config(text: str, source: str) -> PlatformConfig:
    """Build the platform config from TOML text; raise ConfigError listing every problem found.

    `source` is the file name used in messages. Lists and scalars in an environment replace the default;
    tables merge key by key. `[backend]` is the base of every environment's `backend` table.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        line = int(match.group(1)) if match else None
        raise ConfigError([ConfigProblem(source, "", f"TOML syntax error: {error}", line=line)]) from None
    except RecursionError:
        raise ConfigError([too_deep_to_parse(text, source)]) from None
    check_depth(document, source)  # before the recursive merge of defaults into environments
    return build_config(document, source)


def build_config(document: dict[str, Any], source: str) -> PlatformConfig:
    """Validate an already parsed document (what `load_config` does after parsing); used by tests too."""
    problems: list[ConfigProblem] = []
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            problems.append(ConfigProblem(source, key, _unknown_key_message(key, TOP_LEVEL_KEYS)))

    project = _validate_project(document, source, problems)
    backend = _table(document, "backend", source, problems, required=True)
    shared_backend = _validate_backend(backend, source, problems) if "backend" in document else None
    defaults = _table(document, "defaults", source, problems, required=False)
    environments = _table(document, "environments", source, problems, required=True)

    configs: list[EnvironmentConfig] = []
    environment_problems: list[ConfigProblem] = []
    for name in environments:
        if name not in ENVIRONMENT_NAMES:
            problems.append(
                ConfigProblem(
                    source, f"environments.{name}", _unknown_key_message(name, ENVIRONMENT_NAMES, what="environment")
                )
            )
    if not environments and "environments" in document:
        none = f"declares no environment; add at least one of {', '.join(ENVIRONMENT_NAMES)}"
        problems.append(ConfigProblem(source, "environments", none))
    for name in ENVIRONMENT_NAMES:
        if name not in environments:
            continue
        raw = environments[name]
        if not isinstance(raw, dict):
            problems.append(ConfigProblem(source, f"environments.{name}", "must be a table", name))
            continue
        config = _validate_environment(
            name, raw, defaults=defaults, backend=backend, source=source, problems=environment_problems, project=project
        )
        if config is not None:
            configs.append(config)
    declared = [name for name in ENVIRONMENT_NAMES if name in environments]
    problems.extend(_merge_default_problems(environment_problems, declared, project))

    if project is not None:
        problems.extend(
            ConfigProblem(source, "project.name", message) for message in check_project_names(project, configs)
        )
    _check_across_environments(configs, source, problems)
    if problems or project is None or shared_backend is None:
        raise ConfigError(problems)
    return PlatformConfig(source=source, project=project, backend=shared_backend, environments=tuple(configs))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in `override` replaces the one in `base`."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _table(
    document: dict[str, Any], key: str, source: str, problems: list[ConfigProblem], *, required: bool
) -> dict[str, Any]:
    value = document.get(key)
    if value is None:
        if required:
            problems.append(ConfigProblem(source, key, f"missing required table [{key}]"))
        return {}
    if not isinstance(value, dict):
        problems.append(ConfigProblem(source, key, f"must be a table ([{key}]), got {type(value).__name__}"))
        return {}
    return value


def _validate_project(document: dict[str, Any], source: str, problems: list[ConfigProblem]) -> ProjectConfig | None:
    raw = _table(document, "project", source, problems, required=True)
    if "project" not in document or not isinstance(document["project"], dict):
        return None
    try:
        return ProjectConfig.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problems_from(error, ProjectConfig, source, None, lambda path: f"project.{path}"))
        return None


def _validate_backend(raw: dict[str, Any], source: str, problems: list[ConfigProblem]) -> BackendConfig | None:
    try:
        return BackendConfig.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problems_from(error, BackendConfig, source, None, lambda path: f"backend.{path}"))
        return None


def _validate_environment(
    name: str,
    raw: dict[str, Any],
    *,
    defaults: dict[str, Any],
    backend: dict[str, Any],
    source: str,
    problems: list[ConfigProblem],
    project: ProjectConfig | None = None,
) -> EnvironmentConfig | None:
    merged = deep_merge(defaults, raw)
    merged = deep_merge(MEDICAL_DEFAULTS, merged) if project is not None and project.medical else merged
    merged["backend"] = deep_merge(deep_merge(backend, defaults.get("backend", {})), raw.get("backend", {}))
    if "name" in raw or "name" in defaults:
        problems.append(
            ConfigProblem(source, f"environments.{name}.name", "is implied by the table name; remove it", name)
        )
        return None
    merged["name"] = name

    def origin(path: str) -> str:
        """Where the user wrote the key: the environment or [defaults], by the longest part of it either holds."""
        keys = list(_path_keys(path))
        for depth in range(len(keys), 0, -1):
            if _has_path(raw, keys[:depth]):
                return f"environments.{name}.{path}"
            if _has_path(defaults, keys[:depth]):
                return f"defaults.{path}"
        if keys and keys[0] == "backend":
            return path
        return f"environments.{name}.{path}"

    try:
        config = EnvironmentConfig.model_validate(merged)
    except ValidationError as error:
        # Problems in the shared [backend] are reported once, by its own validation, not once per environment.
        problems.extend(
            problem
            for problem in _problems_from(error, EnvironmentConfig, source, name, origin)
            if not problem.path.startswith("backend.")
        )
        partial = _without_invalid_services(merged, error)
        if partial is None:
            return None
        config, skipped = partial
        problems.extend(
            ConfigProblem(source, origin(path), message, name)
            for path, message in check_environment(config, project, unchecked=skipped)
        )
        return None
    problems.extend(
        ConfigProblem(source, origin(path), message, name) for path, message in check_environment(config, project)
    )
    return config


def _without_invalid_services(
    merged: dict[str, Any], error: ValidationError
) -> tuple[EnvironmentConfig, frozenset[str]] | None:
    """The environment with the services that failed validation left out, when only services failed.

    The cross-section checks then still run for every service that validated, so one broken service does not
    hide the others' problems; references to the left-out services are not reported as unknown.
    """
    invalid: set[str] = set()
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if len(loc) < 2 or loc[0] != "services":
            return None
        invalid.add(str(loc[1]))
    services = merged.get("services")
    if not isinstance(services, dict):
        return None
    partial = dict(merged, services={key: value for key, value in services.items() if key not in invalid})
    try:
        return EnvironmentConfig.model_validate(partial), frozenset(invalid)
    except ValidationError:
        return None


def _merge_default_problems(
    problems: list[ConfigProblem], declared: list[str], project: ProjectConfig | None
) -> list[ConfigProblem]:
    """Report a problem of a `[defaults]` key once, naming the environments it applies to (none: all of them).

    Generated names in the message differ only by the environment (`acme-dev-cache`, `acme-prod-cache`, `/acme/dev/x`);
    they are shown as `acme-<env>-cache` and `/acme/<env>/x` when merged.
    """
    merged: dict[tuple[str, str], tuple[ConfigProblem, list[str], str]] = {}
    order: list[ConfigProblem | tuple[str, str]] = []
    for problem in problems:
        if problem.environment is None or not problem.path.startswith("defaults."):
            order.append(problem)
            continue
        message = problem.message
        if project is not None:
            for same in ("{p}-{e}", "/{p}/{e}"):
                message = message.replace(
                    same.format(p=project.name, e=problem.environment), same.format(p=project.name, e="<env>")
                )
        key = (problem.path, message)
        if key in merged:
            merged[key][1].append(problem.environment)
        else:
            merged[key] = (problem, [problem.environment], message)
            order.append(key)
    result = []
    for item in order:
        if isinstance(item, ConfigProblem):
            result.append(item)
            continue
        first, environments, message = merged[item]
        if len(environments) == 1:
            result.append(first)
        else:
            scope = None if environments == declared else ", ".join(environments)
            result.append(ConfigProblem(first.source, first.path, message, scope, first.line))
    return result


def _check_across_environments(configs: list[EnvironmentConfig], source: str, problems: list[ConfigProblem]) -> None:
    problems += [ConfigProblem(source, path, text, name) for name, path, text in check_account_singletons(configs)]
    owners: dict[str, EnvironmentConfig] = {}
    for config in configs:
        first = owners.setdefault(config.backend.bucket, config)
        for key in ("lock_table", "region"):
            ours, theirs = getattr(config.backend, key), getattr(first.backend, key)
            if ours != theirs:
                problems.append(
                    ConfigProblem(
                        source,
                        f"environments.{config.name}.backend.{key}",
                        f"{ours!r} differs from {first.name}'s {theirs!r}, but both keep state in the bucket "
                        f"{config.backend.bucket!r}: each distinct backend gets its own bootstrap stack, so two "
                        f"stacks would create that bucket; use the same {key}, or give {config.name} its own bucket",
                        config.name,
                    )
                )
                break
    across = check_edge_across(configs)
    problems += [ConfigProblem(source, f"environments.{name}.{key}", text, name) for name, key, text in across]
    for first, second in combinations(configs, 2):
        if first.network.cidr.overlaps(second.network.cidr):
            problems.append(
                ConfigProblem(
                    source,
                    f"environments.{second.name}.network.cidr",
                    f"{second.network.cidr} overlaps {first.name}'s VPC {first.network.cidr}; environments need "
                    f"disjoint CIDRs so they can be peered or share a transit gateway later",
                    second.name,
                )
            )


def _problems_from(
    error: ValidationError,
    model: type[BaseModel],
    source: str,
    environment: str | None,
    origin: typing.Callable[[str], str],
) -> list[ConfigProblem]:
    problems = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        message = detail["msg"]
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):
            loc = loc + _path_keys(cause.key)
            message = cause.message
        elif detail["type"] == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            allowed = [field for field in parent.model_fields if field not in INTERNAL_FIELDS] if parent else []
            message = _unknown_key_message(str(loc[-1]), allowed)
        elif detail["type"] == "missing":
            message = "missing required key"
        elif detail["type"] == "tuple_type":
            message = f"Input should be an array (got {detail['input']!r})"
        elif "input" in detail and detail["type"] not in ("value_error",):
            message = f"{message} (got {detail['input']!r})"
        problems.append(ConfigProblem(source, origin(_format_path(loc)), message, environment))
    return problems


def _path_keys(path: str) -> tuple[str, ...]:
    """`services.api.secrets[0]` -> ("services", "api", "secrets", "0"): the inverse of `_format_path`."""
    return tuple(part for part in re.split(r"[.\[\]]", path) if part)


def _format_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _has_path(table: Any, keys: list[str]) -> bool:
    for key in keys:
        if isinstance(table, dict) and key in table:
            table = table[key]
        elif isinstance(table, list) and key.isdigit() and int(key) < len(table):
            table = table[int(key)]
        else:
            return False
    return True


def _unknown_key_message(key: str, allowed: typing.Sequence[str], what: str = "key") -> str:
    message = f"unknown {what} '{key}'"
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    return f"{message}; allowed: {', '.join(allowed)}"


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The config model that validates the table at `loc`, following nested fields, lists and maps."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = _unwrap(field.annotation)
        else:
            current = _unwrap(_item_type(current))
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    return args[-1] if args else None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated so a nested model's class is reached."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            models = [arg for arg in members if isinstance(arg, type) and issubclass(arg, BaseModel)]
            annotation = models[0] if models else members[0]
        elif origin in (tuple, list, dict) and not _contains_model(annotation):
            return annotation
        else:
            return annotation


def _contains_model(annotation: Any) -> bool:
    return any(isinstance(arg, type) and issubclass(arg, BaseModel) for arg in typing.get_args(annotation))
