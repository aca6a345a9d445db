"""SES identity: DKIM CNAMEs, configuration set and MAIL FROM records, each optional."""

from __future__ import annotations

from typing import Any

from cdktf import TerraformStack, Testing

from config.email import EmailConfig
from modules.email import Email
from tests.conftest import Json, only, resources, synth_json


def email_json(**settings: Any) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    config = EmailConfig(enabled=True, domain="acme.example", **settings)
    Email(stack, "email", name="acme-prod", config=config, zone_id="Z123", region="ap-northeast-1")
    return synth_json(stack)


def records(document: Json) -> dict[str, Json]:
    return {key.split("_", 1)[1].rsplit("_", 1)[0]: r for key, r in resources(document, "aws_route53_record").items()}


def test_identity_with_dkim_configuration_set_and_mail_from() -> None:
    document = email_json()
    identity = only(document, "aws_sesv2_email_identity")
    assert identity["email_identity"] == "acme.example"
    assert identity["configuration_set_name"].startswith("${aws_sesv2_configuration_set.")
    assert identity["dkim_signing_attributes"] == {"next_signing_key_length": "RSA_2048_BIT"}
    found = records(document)
    assert set(found) == {"dkim_0", "dkim_1", "dkim_2", "mail_from_mx", "mail_from_spf"}
    assert all(record["zone_id"] == "Z123" for record in found.values())
    dkim = found["dkim_1"]
    assert dkim["type"] == "CNAME" and "tokens, 1)}._domainkey.acme.example" in dkim["name"]
    assert dkim["records"][0].endswith("tokens, 1)}.dkim.amazonses.com")
    assert found["mail_from_mx"]["records"] == ["10 feedback-smtp.ap-northeast-1.amazonses.com"]
    assert found["mail_from_spf"] == {**found["mail_from_spf"], "type": "TXT", "name": "mail.acme.example"}
    assert only(document, "aws_sesv2_email_identity_mail_from_attributes")["mail_from_domain"] == "mail.acme.example"
    configuration_set = only(document, "aws_sesv2_configuration_set")
    assert configuration_set["delivery_options"] == {"tls_policy": "REQUIRE"}
    assert configuration_set["suppression_options"] == {"suppressed_reasons": ["BOUNCE", "COMPLAINT"]}


def test_each_part_can_be_omitted() -> None:
    document = email_json(dkim=False, configuration_set=False, mail_from_subdomain=None)
    assert "configuration_set_name" not in only(document, "aws_sesv2_email_identity")
    assert "aws_route53_record" not in document["resource"]
    assert "aws_sesv2_configuration_set" not in document["resource"]
    assert "aws_sesv2_email_identity_mail_from_attributes" not in document["resource"]
