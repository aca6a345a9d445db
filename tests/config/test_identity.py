"""Bad input of `[auth]` and `[api]`: each is one problem line naming file, environment and key (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config import PlatformConfig
from config.identity import AuthConfig, url_problem
from tests.config.conftest import main_exits_2, one_problem
from tests.conftest import REFERENCE_CONFIG, Json


@pytest.mark.parametrize(
    "url",
    ["https://app.example.jp/cb", "http://localhost:5173/cb", "http://127.0.0.1/cb", "myapp://callback"],
)
def test_allowed_and_refused_urls(url: str) -> None:
    # https and local http pass; a custom scheme (mobile deep link) is not something this SPA client takes
    assert (url_problem(url) is None) == (not url.startswith("myapp:"))


@pytest.mark.parametrize("url", ["http://app.example.jp/cb", "ftp://x.example/cb", "app.example.jp/cb"])
def test_callback_url_that_is_not_https(problems: Callable[[Json], list[str]], url: str) -> None:
    found = problems({"environments": {"prod": {"auth": {"callback_urls": ["https://ok.example.jp/cb", url]}}}})
    line = one_problem(found, "environments.prod.auth.callback_urls[1]:")
    assert line.startswith("environments.toml [prod] environments.prod.auth.callback_urls[1]:")
    assert "not an https URL" in line and "localhost" in line


def test_logout_url_that_is_not_https(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"auth": {"logout_urls": ["http://app-stg.example.jp/login"]}}}})
    assert "not an https URL" in one_problem(found, "[stg] environments.stg.auth.logout_urls[0]:")


def test_code_flow_needs_a_callback_url(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"auth": {"callback_urls": []}}}})
    assert "at least one callback URL" in one_problem(found, "environments.prod.auth.callback_urls:")


def test_default_domain_with_a_reserved_word(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"project": {"name": "awsome"}})
    line = one_problem(found, "[stg] environments.stg.auth.domain_prefix:")
    assert "'awsome-stg' contains 'aws'" in line and "set auth.domain_prefix" in line


def test_route_whose_function_does_not_exist(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"api": {"routes": {"POST /orders": {"function": "orders"}}}}})
    line = one_problem(found, "defaults.api.routes.POST /orders.function:")
    assert "unknown function 'orders'" in line and "(declared: items)" in line


def test_jwt_route_without_auth(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"auth": {"enabled": False}}}})
    line = one_problem(found, "[stg] defaults.api.routes.ANY /items/{proxy+}.authorization:")
    assert "auth.enabled is false" in line


def test_data_access_without_vpc(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"api": {"functions": {"items": {"vpc": False}}}}})
    assert "needs vpc = true" in one_problem(found, "defaults.api.functions.items.data_access:")


def test_route_keys_that_share_a_resource_id(problems: Callable[[Json], list[str]]) -> None:
    routes = {"GET /a-b": {"function": "items"}, "GET /a_b": {"function": "items"}}
    found = problems({"defaults": {"api": {"routes": routes}}})
    assert "resource id 'get_a_b'" in one_problem(found, "defaults.api.routes.GET /a_b:")


def test_function_name_too_long(problems: Callable[[Json], list[str]]) -> None:
    key = "f" * 31
    found = problems({"project": {"name": "a" * 25}, "defaults": {"api": {"functions": {key: {}}}}})
    line = one_problem(found, f"[prod] defaults.api.functions.{key}:")
    assert f"'{'a' * 25}-prod-fn-{key}' (65 characters)" in line and "Lambda and IAM allow 64" in line
    assert not [line for line in found if f"[stg] defaults.api.functions.{key}" in line]  # 64: fits


def test_function_group_named_like_a_service_group(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"defaults": {"services": {"fn-items": {"kind": "worker"}}}})
    assert "service 'fn-items'" in one_problem(found, "defaults.api.functions.items:")


def test_reference_config_turns_auth_and_api_on_in_stg_and_prod_only(reference_config: PlatformConfig) -> None:
    enabled = {env.name: (env.auth.enabled, env.api.enabled) for env in reference_config.environments}
    assert enabled == {"dev": (False, False), "stg": (True, True), "prod": (True, True)}


def test_main_exits_2_naming_the_key(tmp_path: Path) -> None:
    text = REFERENCE_CONFIG.read_text()
    broken, stderr = main_exits_2(
        tmp_path, text.replace('callback_urls = ["https://app.example.jp/', 'callback_urls = ["http://app.example.jp/')
    )
    assert f"{broken} [prod] environments.prod.auth.callback_urls[0]: 'http://app.example.jp/auth/callback'" in stderr


def test_ses_sender_is_opt_in_and_on_in_stg_and_prod(reference_config: PlatformConfig) -> None:
    senders = {env.name: env.auth.email_sender for env in reference_config.environments}
    assert senders == {"dev": "cognito", "stg": "ses", "prod": "ses"}
    assert AuthConfig().email_sender == "cognito"  # nothing changes for an environment that does not ask


def test_ses_sender_without_email(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"email": {"enabled": False}}}})
    line = one_problem(found, "environments.stg.auth.email_sender:")
    assert line == (
        "environments.toml [stg] environments.stg.auth.email_sender: 'ses' sends through the environment's SES "
        "identity, but email.enabled is false; enable [email] (with its domain) or use email_sender = 'cognito'"
    )


def test_ses_sender_without_dkim(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"email": {"dkim": False}}}})
    line = one_problem(found, "[prod] environments.prod.auth.email_sender:")
    assert "verifies through its DKIM records, but email.dkim is false" in line


@pytest.mark.parametrize("address", ["no-reply@acme.example", "no-reply@mail.stg.acme.example"])
def test_from_address_outside_the_email_domain(problems: Callable[[Json], list[str]], address: str) -> None:
    found = problems({"environments": {"stg": {"auth": {"from_address": address}}}})
    line = one_problem(found, "[stg] environments.stg.auth.from_address:")
    assert line.endswith(
        f"'{address}' is not in the SES identity's domain stg.acme.example (email.domain); "
        "use an address @stg.acme.example"
    )


def test_from_address_in_the_email_domain_is_accepted(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"stg": {"auth": {"from_address": "accounts@stg.acme.example"}}}})
    assert config.environment("stg").auth.from_address == "accounts@stg.acme.example"


@pytest.mark.parametrize("key, value", [("from_address", "x@acme.example"), ("from_name", "Acme")])
def test_sender_settings_need_the_ses_sender(problems: Callable[[Json], list[str]], key: str, value: str) -> None:
    found = problems({"environments": {"dev": {"auth": {key: value}}}})  # dev keeps Cognito's sender
    line = one_problem(found, f"[dev] environments.dev.auth.{key}:")
    assert "is used only with email_sender = 'ses'" in line


@pytest.mark.parametrize(
    "key, value",
    [("email_sender", "SES"), ("from_address", "no-reply"), ("from_address", "a@B.example"), ("from_name", "A <b>")],
)
def test_malformed_sender_settings(problems: Callable[[Json], list[str]], key: str, value: str) -> None:
    found = problems({"environments": {"prod": {"auth": {key: value}}}})
    one_problem(found, f"[prod] environments.prod.auth.{key}:")


def test_main_exits_2_for_an_ses_sender_without_email(tmp_path: Path) -> None:
    text = REFERENCE_CONFIG.read_text()
    assert "[environments.stg.email]\nenabled = true\n" in text
    broken, stderr = main_exits_2(
        tmp_path,
        text.replace("[environments.stg.email]\nenabled = true\n", "[environments.stg.email]\nenabled = false\n"),
    )
    assert f"{broken} [stg] environments.stg.auth.email_sender: 'ses' sends through the environment's SES identity" in (
        stderr
    )
