"""Inputs that used to pass validation and then die in synth with a traceback: each is a config problem now.

Every case is the reference config with one careless change; the loader must raise ConfigError (exit 2 in
main.py) with a line naming the key, instead of building a config the modules cannot synthesize.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from tests.config.conftest import one_problem
from tests.conftest import Json


@pytest.mark.parametrize("target", [math.inf, -math.inf, math.nan])
def test_custom_metric_target_must_be_finite(problems: Callable[[Json], list[str]], target: float) -> None:
    found = problems({"defaults": {"services": {"realtime": {"autoscaling": {"custom_metric": {"target": target}}}}}})
    line = one_problem(found, "defaults.services.realtime.autoscaling.custom_metric.target:")
    assert line.startswith("environments.toml defaults.services.realtime.autoscaling.custom_metric.target:")


def test_string_parameter_needs_a_value(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"security": {"parameters": {"app/feature-flags": {"type": "StringList"}}}}})
    line = one_problem(found, "defaults.security.parameters.app/feature-flags.value:")
    assert "a StringList parameter needs a value" in line


def test_secret_keys_that_share_a_resource_id(problems: Callable[[Json], list[str]]) -> None:
    # `token` creates the constructs token and token_value; `token-value` creates token_value too.
    found = problems({"defaults": {"security": {"secrets": {"token": {}, "token-value": {}}}}})
    line = one_problem(found, "defaults.security.secrets.token-value:")
    assert "clashes with security.secrets.token" in line


def test_secret_and_parameter_ids_clash(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"security": {"secrets": {"parameter-x": {}}, "parameters": {"x": {"value": "1"}}}}})
    line = one_problem(found, "defaults.security.parameters.x:")
    assert "clashes with security.secrets.parameter-x" in line and "'parameter_x'" in line


def test_depends_on_cycle(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"web": {"depends_on": ["api"]}, "api": {"depends_on": ["web"]}}}})
    line = one_problem(found, "defaults.services.web.depends_on[0]:")
    assert "cycle: api -> web -> api" in line


def _host_routed(hosts_web: list[str], hosts_realtime: list[str]) -> Json:
    return {
        "defaults": {
            "services": {
                "web": {"routing": {"default": False, "host_headers": hosts_web}},
                "realtime": {"routing": {"path_patterns": [], "host_headers": hosts_realtime}},
            }
        }
    }


def test_host_headers_differing_only_in_case(problems: Callable[[Json], list[str]]) -> None:
    found = problems(_host_routed(["App.Example.com"], ["app.example.com"]))
    line = one_problem(found, "defaults.services.web.routing.host_headers")
    assert "app.example.com" in line and "'realtime'" in line


def test_overlapping_but_unequal_host_sets(problems: Callable[[Json], list[str]]) -> None:
    found = problems(_host_routed(["a.example.com", "b.example.com"], ["a.example.com"]))
    line = one_problem(found, "defaults.services.web.routing.host_headers")
    assert "a.example.com" in line and "'realtime'" in line


def test_grpc_with_an_http_matcher(problems: Callable[[Json], list[str]]) -> None:
    grpc = {"protocol": "grpc", "routing": {"health_check_matcher": "200"}}
    found = problems({"defaults": {"services": {"realtime": grpc}}})
    line = one_problem(found, "defaults.services.realtime.routing.health_check_matcher:")
    assert "gRPC" in line and "0-99" in line


@pytest.mark.parametrize("matcher", ["ok", "200-", "199", "600", "200,,201"])
def test_http_matcher_format(problems: Callable[[Json], list[str]], matcher: str) -> None:
    found = problems({"defaults": {"services": {"api": {"routing": {"health_check_matcher": matcher}}}}})
    assert one_problem(found, "defaults.services.api.routing.health_check_matcher:")


@pytest.mark.parametrize("name", ["cache", "database", "alb", "bastion", "vpc-endpoints"])
def test_service_named_like_a_security_group(problems: Callable[[Json], list[str]], name: str) -> None:
    found = problems({"defaults": {"services": {name: {"kind": "worker"}}}})
    line = one_problem(found, f"defaults.services.{name}:")
    assert f"acme-<env>-{name}" in line


def test_service_whose_ids_collide_with_another_services(problems: Callable[[Json], list[str]]) -> None:
    # web's HTTPS egress rule is security_groups/web_https, the group of a service web-https.
    found = problems({"defaults": {"services": {"web-https": {"kind": "worker"}}}})
    line = one_problem(found, "defaults.services.web-https:")
    assert "'web'" in line


def test_service_named_like_a_green_target_group(problems: Callable[[Json], list[str]]) -> None:
    green = {"port": 9000, "routing": {"path_patterns": ["/green/*"]}}
    found = problems({"environments": {"prod": {"services": {"api-green": green}}}})
    line = one_problem(found, "environments.prod.services.api-green:")
    assert "blue/green" in line


def test_more_rules_than_one_specificity_level_holds(problems: Callable[[Json], list[str]]) -> None:
    patterns = [f"/p{index:03d}/*" for index in range(118)]
    found = problems({"defaults": {"services": {"realtime": {"routing": {"path_patterns": patterns}}}}})
    line = one_problem(found, "defaults.services.realtime.routing.path_patterns")
    assert "100" in line


def test_a_hundred_rules_in_one_level_are_accepted(config_with: Callable[[Json], object]) -> None:
    patterns = [f"/p{index:03d}/*" for index in range(99)]  # + api's /api/* at the same level
    raised = {"load_balancer": {"rule_quota": 200}}  # prod: api's blue/green rule is on the test listener too
    config_with({"defaults": {"services": {"realtime": {"routing": {"path_patterns": patterns}}}, **raised}})


def test_more_rules_than_the_alb_quota(problems: Callable[[Json], list[str]]) -> None:
    # 97 + api's /api/* + realtime's /collab and /collab/* = 100 rules in dev; prod's api adds a test-listener rule
    patterns = [f"/v{index}/p/*" for index in range(97)]
    found = problems({"defaults": {"services": {"web": {"routing": {"path_patterns": patterns}}}}})
    line = one_problem(found, "load_balancer.rule_quota:")
    assert line.startswith("environments.toml [prod] environments.prod.load_balancer.rule_quota: the services need 101")


def test_field_error_does_not_hide_the_cross_field_checks(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {
            "environments": {
                "dev": {
                    "services": {
                        "api": {"cpu": 300},
                        "web": {"secrets": {"TOKEN": "secret:missing"}},
                    }
                }
            }
        }
    )
    assert one_problem(found, "environments.dev.services.api.cpu:")
    assert one_problem(found, "environments.dev.services.web.secrets.TOKEN: unknown secret 'missing'")


def test_field_error_and_cross_field_error_in_one_service(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"services": {"web": {"cpu": 300, "depends_on": ["nope"]}}}}})
    assert one_problem(found, "environments.dev.services.web.cpu:")
    assert not any("depends_on" in line for line in found), "an invalid service's own references are not guessed"


def test_problem_in_defaults_is_reported_once(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"realtime": {"cpu": 300}}}})
    line = one_problem(found, "defaults.services.realtime.cpu:")
    assert line.startswith("environments.toml defaults.services.realtime.cpu:"), line


def test_problem_in_defaults_names_the_environments_it_applies_to(problems: Callable[[Json], list[str]]) -> None:
    # dev disables the worker, so a broken worker default matters to stg and prod only.
    found = problems({"defaults": {"services": {"worker": {"depends_on": ["nope"]}}}})
    line = one_problem(found, "defaults.services.worker.depends_on[0]:")
    assert line.startswith("environments.toml [stg, prod] defaults.services.worker.depends_on[0]:"), line


@pytest.mark.parametrize(("name", "fragment"), [("exec", "the ECS module"), ("api-cpu", "service 'api'")])
def test_service_names_that_collide_in_the_ecs_module(
    problems: Callable[[Json], list[str]], name: str, fragment: str
) -> None:
    # exec_logs is the cluster's ECS Exec log group; api_cpu_scaling is api's CPU scaling policy
    found = problems({"defaults": {"services": {name: {"kind": "worker"}}}})
    line = one_problem(found, f"defaults.services.{name}:")
    assert fragment in line or "its own resources" in line
