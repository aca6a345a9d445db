"""Cross-section checks of the services: private endpoints they need, image tags, references to stack values.

Each returns (key path relative to the environment, message) pairs; config.references runs them with the others.
"""

from __future__ import annotations

from collections.abc import Iterator

from config.models import EnvironmentConfig
from config.services import MOVING_TAG
from config.stack_values import reference_problems


def check_services(environment: EnvironmentConfig) -> list[tuple[str, str]]:
    """Every service-level cross-section problem of `environment`."""
    return [*_endpoints(environment), *_image_tags(environment), *_stack_references(environment)]


def _endpoints(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    """Without NAT, tasks reach AWS APIs only through interface endpoints: the ones their features call."""
    network = environment.network
    if network.nat != "none":
        return
    needs: dict[str, list[str]] = {}
    for name, service in environment.enabled_services.items():
        if service.autoscaling is not None and service.autoscaling.custom_metric is not None:
            needs.setdefault("monitoring", []).append(f"{name} (custom scaling metric: PutMetricData)")
        if service.exec:
            needs.setdefault("kms", []).append(f"{name} (ECS Exec sessions are encrypted with the CMK)")
            needs.setdefault("ssmmessages", []).append(f"{name} (ECS Exec channels)")
    for endpoint, users in sorted(needs.items()):
        if endpoint not in network.interface_endpoints:
            yield (
                "network.interface_endpoints",
                f"lacks '{endpoint}', which {', '.join(users)} call(s) and network.nat = 'none' gives no other "
                f"route to; add '{endpoint}' to network.interface_endpoints (or use a NAT)",
            )


def _image_tags(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    if environment.registry.tag_mutability != "IMMUTABLE":
        return
    for name, service in environment.services.items():
        if service.image_tag == MOVING_TAG:
            yield (
                f"services.{name}.image_tag",
                f"'{MOVING_TAG}' cannot be pushed twice to an IMMUTABLE repository (registry.tag_mutability); pin a "
                f"release tag here, or leave image_tag unset and let CI write each build's own tag (e.g. the git SHA) "
                f"to the deployed-tag parameter .../image-tag/{name}",
            )


def _stack_references(environment: EnvironmentConfig) -> Iterator[tuple[str, str]]:
    enabled = {"database": environment.database.enabled, "cache": environment.cache.enabled}
    for name, service in environment.services.items():
        for variable, value in service.environment.items():
            for problem in reference_problems(value, enabled=enabled):
                yield f"services.{name}.environment.{variable}", problem
    for key, parameter in environment.security.parameters.items():
        if parameter.value is not None:
            for problem in reference_problems(parameter.value, enabled=enabled):
                yield f"security.parameters.{key}.value", problem
