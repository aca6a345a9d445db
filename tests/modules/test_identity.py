"""The Cognito module: the seeds' exact settings, and both sides of each toggle (protection, identity pool, MFA)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from config.identity import AuthConfig
from modules.identity import SesSender, UserPool
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

CALLBACK = "https://app.example.jp/auth/callback"


def auth(**fields: Any) -> AuthConfig:
    return AuthConfig.model_validate({"enabled": True, "callback_urls": (CALLBACK,), **fields})


def pool_json(
    config: AuthConfig | None = None, *, protected: bool = False, ses: SesSender | None = None
) -> tuple[Json, UserPool]:
    stack = TerraformStack(Testing.app(), "test")
    pool = UserPool(
        stack,
        "identity",
        name="acme-prod",
        region="ap-northeast-1",
        config=config or auth(logout_urls=("https://app.example.jp/login",)),
        domain_prefix="acme-prod",
        protected=protected,
        ses=ses,
    )
    return synth_json(stack), pool


def test_user_pool_has_the_seed_settings() -> None:
    document, _ = pool_json()
    pool = only(document, "aws_cognito_user_pool")
    assert pool["username_attributes"] == ["email"]
    assert pool["auto_verified_attributes"] == ["email"]
    assert pool["password_policy"] == {
        "minimum_length": 8,
        "require_lowercase": True,
        "require_uppercase": True,
        "require_numbers": True,
        "require_symbols": True,
        "temporary_password_validity_days": 7,
    }
    assert pool["mfa_configuration"] == "OPTIONAL"
    assert pool["software_token_mfa_configuration"] == {"enabled": True}
    assert pool["account_recovery_setting"] == {"recovery_mechanism": [{"name": "verified_email", "priority": 1}]}
    assert pool["email_configuration"] == {"email_sending_account": "COGNITO_DEFAULT"}
    schema = {attribute["name"]: attribute for attribute in pool["schema"]}
    assert schema["display_name"]["mutable"] is True and schema["display_name"]["required"] is False
    assert schema["email"]["required"] is True


SES = SesSender(
    domain="${aws_sesv2_email_identity.email.email_identity}",
    from_email_address="Acme <no-reply@acme.example>",
    configuration_set="acme-prod",
)


def test_default_sender_has_no_ses_wait() -> None:
    document, _ = pool_json()
    assert only(document, "aws_cognito_user_pool")["email_configuration"] == {
        "email_sending_account": "COGNITO_DEFAULT"
    }
    assert resources(document, "aws_ses_domain_identity_verification") == {}


def test_ses_sender_waits_for_the_verified_identity() -> None:
    document, _ = pool_json(auth(email_sender="ses"), ses=SES)
    verification = only(document, "aws_ses_domain_identity_verification")
    assert verification["domain"] == "${aws_sesv2_email_identity.email.email_identity}"
    (name,) = resources(document, "aws_ses_domain_identity_verification")
    assert only(document, "aws_cognito_user_pool")["email_configuration"] == {
        "email_sending_account": "DEVELOPER",
        "source_arn": f"${{aws_ses_domain_identity_verification.{name}.arn}}",
        "from_email_address": "Acme <no-reply@acme.example>",
        "configuration_set": "acme-prod",
    }
    # Cognito sends through its service-linked role: no sending-authorization policy on the identity
    assert "aws_ses_identity_policy" not in document["resource"]


def test_ses_sender_without_configuration_set() -> None:
    ses = SesSender(domain="acme.example", from_email_address="no-reply@acme.example", configuration_set=None)
    document, _ = pool_json(auth(email_sender="ses"), ses=ses)
    configuration = only(document, "aws_cognito_user_pool")["email_configuration"]
    assert "configuration_set" not in configuration and configuration["from_email_address"] == "no-reply@acme.example"


def test_spa_client_is_public_with_code_flow_and_the_seed_token_lifetimes() -> None:
    document, _ = pool_json()
    client = only(document, "aws_cognito_user_pool_client")
    assert client["generate_secret"] is False
    assert client["explicit_auth_flows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert (client["access_token_validity"], client["id_token_validity"], client["refresh_token_validity"]) == (
        1,
        1,
        30,
    )
    assert client["token_validity_units"] == [{"access_token": "hours", "id_token": "hours", "refresh_token": "days"}]
    assert client["allowed_oauth_flows"] == ["code"] and client["allowed_oauth_flows_user_pool_client"] is True
    assert client["allowed_oauth_scopes"] == ["email", "openid", "profile"]
    assert client["callback_urls"] == [CALLBACK] and client["logout_urls"] == ["https://app.example.jp/login"]
    assert client["prevent_user_existence_errors"] == "ENABLED"
    assert client["enable_token_revocation"] is True
    assert client["supported_identity_providers"] == ["COGNITO"]
    assert only(document, "aws_cognito_user_pool_domain")["domain"] == "acme-prod"


def test_token_lifetimes_and_mfa_from_config() -> None:
    document, _ = pool_json(auth(access_token_hours=2, refresh_token_days=7, mfa="ON", password_minimum_length=12))
    client = only(document, "aws_cognito_user_pool_client")
    assert (client["access_token_validity"], client["refresh_token_validity"]) == (2, 7)
    assert "logout_urls" not in client
    pool = only(document, "aws_cognito_user_pool")
    assert pool["mfa_configuration"] == "ON" and pool["password_policy"]["minimum_length"] == 12


def test_identity_pool_admits_only_authenticated_users_of_the_client() -> None:
    document, pool = pool_json()
    identity_pool = only(document, "aws_cognito_identity_pool")
    assert identity_pool["allow_unauthenticated_identities"] is False
    assert identity_pool["allow_classic_flow"] is False
    (provider,) = identity_pool["cognito_identity_providers"]
    assert provider["server_side_token_check"] is True
    assert provider["client_id"].startswith("${aws_cognito_user_pool_client.")
    assert provider["provider_name"].endswith(".endpoint}")
    trust = document["data"]["aws_iam_policy_document"]
    (statement,) = next(iter(trust.values()))["statement"]
    assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    conditions = {condition["variable"]: condition for condition in statement["condition"]}
    assert conditions["cognito-identity.amazonaws.com:amr"]["values"] == ["authenticated"]
    assert conditions["cognito-identity.amazonaws.com:aud"]["values"][0].startswith("${aws_cognito_identity_pool.")
    roles = only(document, "aws_cognito_identity_pool_roles_attachment")["roles"]
    assert set(roles) == {"authenticated"}
    assert resources(document, "aws_iam_role_policy") == {} and "managed_policy_arns" not in only(
        document, "aws_iam_role"
    )
    assert pool.identity_pool_id is not None


def test_without_identity_pool() -> None:
    document, pool = pool_json(auth(identity_pool=False))
    assert resources(document, "aws_cognito_identity_pool") == {}
    assert resources(document, "aws_iam_role") == {}
    assert pool.identity_pool_id is None and pool.authenticated_role_arn is None


@pytest.mark.parametrize("protected", [True, False])
def test_protection_guards_the_users(protected: bool) -> None:
    document, _ = pool_json(protected=protected)
    pool = only(document, "aws_cognito_user_pool")
    assert pool["deletion_protection"] == ("ACTIVE" if protected else "INACTIVE")
    assert pool.get("lifecycle", {}).get("prevent_destroy", False) is protected


def test_domain_output_is_the_hosted_ui_host() -> None:
    _, pool = pool_json()
    assert pool.domain.endswith(".auth.ap-northeast-1.amazoncognito.com")


def test_terraform_validate(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    UserPool(
        stack,
        "identity",
        name="acme-dev",
        region="ap-northeast-1",
        config=auth(),
        domain_prefix="acme-dev",
        protected=True,
        ses=SesSender(domain="acme.example", from_email_address="Acme <no-reply@acme.example>", configuration_set="x"),
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)
    assert json.loads((tmp_path / "stacks" / "module" / "cdk.tf.json").read_text())["resource"]
