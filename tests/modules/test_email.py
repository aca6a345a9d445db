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
    assert set(found) == {"dkim_0", "dkim_1", "dkim_2", "mail_from_mx", "mail_from_spf", "dmarc"}
    assert all(record["zone_id"] == "Z123" for record in found.values())
    dkim = found["dkim_1"]
    assert dkim["type"] == "CNAME" and "tokens, 1)}._domainkey.acme.example" in dkim["name"]
    assert dkim["records"][0].endswith("tokens, 1)}.dkim.amazonses.com")
    assert found["mail_from_mx"]["records"] == ["10 feedback-smtp.ap-northeast-1.amazonses.com"]
    assert found["mail_from_spf"] == {**found["mail_from_spf"], "type": "TXT", "name": "mail.acme.example"}
    assert found["mail_from_spf"]["records"] == ["v=spf1 include:amazonses.com ~all"]
    assert found["dmarc"] == {**found["dmarc"], "type": "TXT", "name": "_dmarc.acme.example"}
    assert found["dmarc"]["records"] == ["v=DMARC1; p=none"]
    assert only(document, "aws_sesv2_email_identity_mail_from_attributes")["mail_from_domain"] == "mail.acme.example"
    configuration_set = only(document, "aws_sesv2_configuration_set")
    assert configuration_set["delivery_options"] == {"tls_policy": "REQUIRE"}
    assert configuration_set["suppression_options"] == {"suppressed_reasons": ["BOUNCE", "COMPLAINT"]}


def test_each_part_can_be_omitted() -> None:
    document = email_json(dkim=False, configuration_set=False, mail_from_subdomain=None, dmarc=False)
    assert "configuration_set_name" not in only(document, "aws_sesv2_email_identity")
    assert "aws_route53_record" not in document["resource"]
    assert "aws_sesv2_configuration_set" not in document["resource"]
    assert "aws_sesv2_email_identity_mail_from_attributes" not in document["resource"]


def test_dmarc_policy_and_report_address_from_config() -> None:
    found = records(email_json(dmarc_policy="reject", dmarc_report_address="dmarc@reports.example"))
    assert found["dmarc"]["records"] == ["v=DMARC1; p=reject; rua=mailto:dmarc@reports.example"]
    assert found["dmarc"]["zone_id"] == "Z123"


def test_dmarc_alone_without_the_other_records() -> None:
    found = records(email_json(dkim=False, mail_from_subdomain=None))
    assert set(found) == {"dmarc"}


def test_spf_only_with_a_mail_from_domain() -> None:
    found = records(email_json(mail_from_subdomain="bounce"))
    assert found["mail_from_spf"]["name"] == "bounce.acme.example"
    assert "mail_from_spf" not in records(email_json(mail_from_subdomain=None))
