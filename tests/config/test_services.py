"""Service definitions: Fargate sizes, web vs worker, autoscaling ranges, deployment strategy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from config.services import FARGATE_SIZES, ServiceConfig
from tests.config.conftest import one_problem
from tests.conftest import Json

WEB: dict[str, Any] = {"kind": "web", "port": 3000, "routing": {"path_patterns": ["/api/*"]}}


def error_of(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        ServiceConfig.model_validate({**WEB, **fields})
    return str(caught.value)


@pytest.mark.parametrize(("cpu", "memory"), [(256, 512), (512, 4096), (1024, 2048), (4096, 30720), (8192, 61440)])
def test_fargate_pairs_are_accepted(cpu: int, memory: int) -> None:
    assert ServiceConfig.model_validate({**WEB, "cpu": cpu, "memory": memory}).memory == memory


def test_fargate_rejects_other_pairs_and_lists_the_allowed_memory() -> None:
    assert (
        "Fargate does not run cpu = 256 with memory = 4096; with cpu = 256 memory must be one of 512, 1024, "
        "2048" in error_of(cpu=256, memory=4096)
    )
    assert "300 is not a Fargate CPU size; allowed: 256, 512, 1024" in error_of(cpu=300, memory=512)
    assert all(memory % 512 == 0 for sizes in FARGATE_SIZES.values() for memory in sizes)


def test_web_service_needs_port_and_routing() -> None:
    assert "a web service needs the container port" in error_of(port=None)
    assert "a web service needs a [routing] table" in error_of(routing=None)
    assert "needs path_patterns, host_headers or default = true" in error_of(routing={})


def test_worker_cannot_be_routed_or_blue_green() -> None:
    worker = {"kind": "worker", "port": None, "routing": None}
    assert ServiceConfig.model_validate({**WEB, **worker}).sticky is False
    assert "a worker has no load balancer; remove [routing]" in error_of(kind="worker")
    assert "blue_green needs a load balancer" in error_of(**worker, deployment={"strategy": "blue_green"})
    assert "a worker has no load balancer to count requests" in error_of(
        **worker, autoscaling={"min": 1, "max": 2, "requests_per_target": 100}
    )


def test_autoscaling_min_above_max() -> None:
    assert "min (3) is greater than max (2)" in error_of(autoscaling={"min": 3, "max": 2})


def test_autoscaling_needs_a_target() -> None:
    assert "set at least one of cpu_target" in error_of(autoscaling={"min": 1, "max": 2, "cpu_target": None})


def test_desired_count_within_autoscaling_range() -> None:
    assert "5 is outside autoscaling min..max (1..4)" in error_of(desired_count=5, autoscaling={"min": 1, "max": 4})


def test_websocket_services_are_sticky_by_default() -> None:
    assert ServiceConfig.model_validate({**WEB, "protocol": "websocket"}).sticky is True
    assert ServiceConfig.model_validate(WEB).sticky is False
    explicit = {**WEB, "protocol": "websocket", "routing": {"default": True, "stickiness": False}}
    assert ServiceConfig.model_validate(explicit).sticky is False


def test_secret_references_have_a_known_scheme() -> None:
    assert "String should match pattern" in error_of(secrets={"JWT": "vault:jwt"})


def test_health_check_timeout_is_optional_and_shorter_than_the_interval() -> None:
    routing = {"path_patterns": ["/graphql"], "health_check_interval": 45}
    assert ServiceConfig.model_validate({**WEB, "routing": routing}).routing.health_check_timeout is None  # type: ignore[union-attr]
    timed = ServiceConfig.model_validate({**WEB, "routing": {**routing, "health_check_timeout": 8}})
    assert timed.routing is not None and timed.routing.health_check_timeout == 8
    assert "45 s is not shorter than health_check_interval (45 s)" in error_of(
        routing={**routing, "health_check_timeout": 45}
    )
    assert "greater than or equal to 2" in error_of(routing={**routing, "health_check_timeout": 1})


def test_health_check_timeout_problem_names_the_full_key(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"services": {"api": {"routing": {"health_check_timeout": 30}}}}}})
    line = one_problem(found, "environments.prod.services.api.routing.health_check_timeout:")
    assert line.startswith("environments.toml [prod] environments.prod.services.api.routing.health_check_timeout:")
    assert "30 s is not shorter than health_check_interval (30 s)" in line
