"""Email settings: required domain, a zone that can hold its records, one SES identity per domain and account."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config import PlatformConfig
from config.email import EmailConfig
from tests.config.conftest import one_problem
from tests.conftest import Json


def test_enabled_email_needs_a_domain(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"dev": {"email": {"enabled": True}}}})
    line = one_problem(found, "environments.dev.email.domain:")
    assert line == (
        "environments.toml [dev] environments.dev.email.domain: is required when email is enabled: "
        "the domain SES sends from"
    )


def test_zone_must_be_the_domain_or_a_parent(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"email": {"zone_name": "other.example"}}}})
    line = one_problem(found, "environments.stg.email.zone_name:")
    assert "other.example cannot hold records of stg.acme.example" in line


def test_bad_domain_names_the_key(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"email": {"domain": "Acme Example"}}}})
    one_problem(found, "environments.prod.email.domain:")


def test_one_identity_per_domain_and_account(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"stg": {"email": {"domain": "acme.example", "zone_name": None}}}})
    line = one_problem(found, "environments.prod.email.domain:")
    assert "acme.example is also stg's email domain" in line and "[prod]" in line


def test_same_domain_in_known_different_accounts_accepted(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "stg": {"account_id": "111111111111", "email": {"domain": "acme.example"}},
                "prod": {"account_id": "222222222222"},
            }
        }
    )
    assert config.environment("stg").email.domain == config.environment("prod").email.domain


def test_defaults(reference_config: PlatformConfig) -> None:
    assert not reference_config.environment("dev").email.enabled
    stg = reference_config.environment("stg").email
    assert (stg.hosted_zone, stg.sender) == ("acme.example", "no-reply@stg.acme.example")


def test_dmarc_record_defaults_to_report_only() -> None:
    config = EmailConfig(enabled=True, domain="acme.example")
    assert config.dmarc and config.dmarc_record == "v=DMARC1; p=none"


def test_dmarc_record_with_policy_and_report_address(reference_config: PlatformConfig) -> None:
    prod = reference_config.environment("prod").email
    assert prod.dmarc_record == "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.example"
    assert reference_config.environment("stg").email.dmarc_record == "v=DMARC1; p=none"


@pytest.mark.parametrize("address", ["mailto:dmarc@acme.example", "dmarc", "dmarc@Acme.example", "a b@acme.example"])
def test_dmarc_report_address_must_be_an_address(problems: Callable[[Json], list[str]], address: str) -> None:
    found = problems({"environments": {"prod": {"email": {"dmarc_report_address": address}}}})
    line = one_problem(found, "[prod] environments.prod.email.dmarc_report_address:")
    assert "String should match pattern" in line


def test_dmarc_policy_values(problems: Callable[[Json], list[str]]) -> None:
    found = problems({"environments": {"prod": {"email": {"dmarc_policy": "block"}}}})
    line = one_problem(found, "[prod] environments.prod.email.dmarc_policy:")
    assert "'none', 'quarantine' or 'reject'" in line
