"""[domain] and [cdn]: per-environment names, and the bad inputs each reported with its key (exit 2 in main.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import PlatformConfig
from config.edge import CdnConfig, DomainConfig, dns_name_problem, domain_names, fronted_by_cloudfront
from tests.config.conftest import main_exits_2, one_problem
from tests.conftest import REFERENCE_CONFIG, Json

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("environment", "api", "app"),
    [("dev", "api-dev.example.jp", "app-dev.example.jp"), ("prod", "api.example.jp", "app.example.jp")],
)
def test_names_carry_the_environment_outside_prod(environment: str, api: str, app: str) -> None:
    names = domain_names(DomainConfig(enabled=True, zone="example.jp"), environment, cdn=True)
    assert (names.api, names.app, names.www) == (api, app, None)


def test_apex_env_placeholder_www_and_no_cdn() -> None:
    domain = DomainConfig(enabled=True, zone="example.jp", api="{env}-api", app="@", www=True)
    names = domain_names(domain, "stg", cdn=True)
    assert names.all == ("stg-api.example.jp", "example.jp", "www.example.jp")
    assert names.distribution_names == ("example.jp", "www.example.jp")
    without_cdn = domain_names(domain, "stg", cdn=False)  # www then names the ALB, next to the api name
    assert (without_cdn.app, without_cdn.www, without_cdn.distribution_names) == (None, "www.example.jp", ())
    assert without_cdn.alb_names == ("stg-api.example.jp", "www.example.jp")
    assert names.alb_names == ("stg-api.example.jp",)
    neither = domain_names(domain.model_copy(update={"api": ""}), "stg", cdn=False)
    assert (neither.www, neither.all) == (None, ())


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("example.jp", None),
        ("a-b.example.jp", None),
        ("Example.jp", "label 'Example'"),
        ("ex_ample.jp", "label 'ex_ample'"),
        ("-api.example.jp", "label '-api'"),
        ("example..jp", "label ''"),
        ("localhost", "at least two labels"),
        (f"{'a' * 64}.jp", "label 'aaaa"),
        (".".join(["abcdefghi"] * 26), "at most 253"),
    ],
)
def test_dns_names(name: str, fragment: str | None) -> None:
    problem = dns_name_problem(name)
    assert (problem is None) if fragment is None else (problem is not None and fragment in problem)


def test_reference_config_turns_edge_on_in_stg_and_prod_only(reference_config: PlatformConfig) -> None:
    dev, stg, prod = (reference_config.environment(name) for name in ("dev", "stg", "prod"))
    assert not dev.domain.enabled and not dev.cdn.enabled and dev.load_balancer is not None
    assert dev.load_balancer.certificate_arn == CERTIFICATE
    for environment in (stg, prod):
        assert environment.domain.enabled and environment.cdn.enabled and fronted_by_cloudfront(environment)
        assert environment.security.alb_ingress == "cloudfront" and environment.cdn.waf.enabled
        assert environment.load_balancer is not None and environment.load_balancer.certificate_arn is None
    assert (stg.domain.www, prod.domain.www) == (False, True)


def test_cdn_defaults_are_off() -> None:
    cdn = CdnConfig()
    assert (cdn.enabled, cdn.waf.enabled, cdn.api_paths, cdn.versioning) == (False, False, (), True)
    assert not DomainConfig().enabled


# --- bad input: one line naming the key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "key", "fragment"),
    [
        (
            {"defaults": {"domain": {"zone": "Example_JP"}}},
            "[stg, prod] defaults.domain.zone:",
            "'Example_JP' is not a valid DNS name: label 'Example_JP' must be 1-63 lowercase letters",
        ),
        (
            {"environments": {"stg": {"domain": {"zone": "localhost"}}}},
            "[stg] environments.stg.domain.zone:",
            "needs at least two labels",
        ),
        (
            {"environments": {"stg": {"domain": {"api": "-api"}}}},
            "[stg] environments.stg.domain.api:",
            "'-api.example.jp' is not a valid DNS name: label '-api'",
        ),
        (
            {"environments": {"prod": {"domain": {"app": "app_{env}"}}}},
            "[prod] environments.prod.domain.app:",
            "label 'app_prod'",
        ),
    ],
)
def test_invalid_dns_names(problems: Callable[[Json], list[str]], override: Json, key: str, fragment: str) -> None:
    line = one_problem(problems(override), key)
    assert line.startswith(f"environments.toml {key}") and fragment in line


def test_two_records_for_one_name_in_an_environment(problems: Callable[[Json], list[str]]) -> None:
    line = one_problem(problems({"environments": {"stg": {"domain": {"app": "api{suffix}"}}}}), "domain.app:")
    assert line == (
        "environments.toml [stg] environments.stg.domain.app: 'api-stg.example.jp' is also the name of domain.api; "
        "two records cannot share one name"
    )
    line = one_problem(problems({"environments": {"prod": {"domain": {"app": "www"}}}}), "domain.www:")
    assert "'www.example.jp' is also the name of domain.app" in line


def test_two_environments_claim_one_name(problems: Callable[[Json], list[str]]) -> None:
    line = one_problem(problems({"defaults": {"domain": {"api": "api"}}}), "domain.api:")
    assert line.startswith("environments.toml [prod] environments.prod.domain.api: 'api.example.jp' is also stg's")


def test_two_environments_create_one_zone(problems: Callable[[Json], list[str]]) -> None:
    line = one_problem(problems({"defaults": {"domain": {"create_zone": True}}}), "create_zone:")
    assert line.startswith("environments.toml [prod] environments.prod.domain.create_zone: stg already creates")


@pytest.mark.parametrize("pattern", ["/*", "/", "/index.html"])
def test_cloudfront_path_colliding_with_the_spa_default(problems: Callable[[Json], list[str]], pattern: str) -> None:
    line = one_problem(problems({"defaults": {"cdn": {"api_paths": ["/api/*", pattern]}}}), "api_paths[1]:")
    assert line == (
        f"environments.toml defaults.cdn.api_paths[1]: '{pattern}' collides with the SPA's default behaviour "
        "(everything else, and /index.html for client-side routing); route a prefix instead, e.g. '/api/*'"
    )


def test_cloudfront_path_pattern_shape_and_repeats(problems: Callable[[Json], list[str]]) -> None:
    line = one_problem(problems({"defaults": {"cdn": {"api_paths": ["api/*"]}}}), "api_paths[0]:")
    assert "should match pattern" in line or "String should match" in line
    line = one_problem(problems({"environments": {"stg": {"cdn": {"api_paths": ["/a/*", "/a/*"]}}}}), "paths[1]:")
    assert "'/a/*' is listed twice" in line


def test_cloudfront_fronting_needs_the_prefix_list_ingress(problems: Callable[[Json], list[str]]) -> None:
    line = one_problem(
        problems({"environments": {"stg": {"security": {"alb_ingress": "internet"}}}}), "security.alb_ingress:"
    )
    assert line.startswith("environments.toml [stg] environments.stg.security.alb_ingress: 'internet', but")


def test_api_paths_need_the_domain(problems: Callable[[Json], list[str]]) -> None:
    found = problems(
        {"environments": {"stg": {"domain": {"enabled": False}, "load_balancer": {"certificate_arn": CERTIFICATE}}}}
    )
    assert "enable [domain] with a non-empty domain.api" in one_problem(found, "[stg] defaults.cdn.api_paths:")


def test_the_alb_needs_a_certificate_from_somewhere(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"domain": {"api": ""}, "cdn": {"api_paths": []}}}})
    line = one_problem(found, "load_balancer.certificate_arn:")
    assert "set certificate_arn, or enable [domain] with an api name" in line


def test_domain_and_own_certificate_exclude_each_other(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"load_balancer": {"certificate_arn": CERTIFICATE}}}})
    line = one_problem(found, "environments.prod.load_balancer.certificate_arn:")
    assert "[domain] issues the ALB's certificate" in line


def test_bad_domain_exits_2_naming_file_environment_and_key(tmp_path: Path) -> None:
    text = REFERENCE_CONFIG.read_text()
    assert text.count("[environments.prod.domain]\n") == 1
    text = text.replace("[environments.prod.domain]\n", '[environments.prod.domain]\nzone = "example_jp"\n')
    config, stderr = main_exits_2(tmp_path, text, name="environments.toml")
    assert f"{config} [prod] environments.prod.domain.zone: 'example_jp' is not a valid DNS name" in stderr
