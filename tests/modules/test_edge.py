"""modules/edge: the SPA CDN, certificates and their validation records, alias records, the origin secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider

from config.edge import CdnConfig, CdnLoggingConfig
from modules.edge import (
    MANAGED_POLICIES,
    AliasTarget,
    ApiOrigin,
    Cdn,
    Certificates,
    HostedZone,
    OriginSecret,
    alias_records,
    origin_secret_value,
)
from modules.edge.domain import CertificateRequest
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

US_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"
API = ApiOrigin(domain_name="api-dev.example.jp", paths=("/api/*",), header_name="X-Origin-Verify", header_value="v")


def cdn_json(config: CdnConfig | None = None, **kwargs: Any) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    Cdn(stack, "cdn", name="acme-dev", account_id="123456789012", config=config or CdnConfig(enabled=True), **kwargs)
    return synth_json(stack)


def distribution(document: Json) -> Json:
    return only(document, "aws_cloudfront_distribution")


def buckets(document: Json) -> dict[str, Json]:
    return {item["bucket"]: item for item in resources(document, "aws_s3_bucket").values()}


def test_spa_distribution_defaults() -> None:
    cdn = distribution(cdn_json())
    assert (cdn["default_root_object"], cdn["http_version"], cdn["is_ipv6_enabled"]) == (
        "index.html",
        "http2and3",
        True,
    )
    assert cdn["price_class"] == "PriceClass_200"
    behaviour = cdn["default_cache_behavior"]
    assert behaviour["cache_policy_id"] == MANAGED_POLICIES["CachingOptimized"]
    assert behaviour["compress"] is True and behaviour["viewer_protocol_policy"] == "redirect-to-https"
    assert behaviour["response_headers_policy_id"] == MANAGED_POLICIES["SecurityHeadersPolicy"]
    assert [(e["error_code"], e["response_code"], e["response_page_path"]) for e in cdn["custom_error_response"]] == [
        (403, 200, "/index.html"),
        (404, 200, "/index.html"),
    ]
    (origin,) = cdn["origin"]
    assert origin["origin_access_control_id"].startswith("${aws_cloudfront_origin_access_control.")
    assert "s3_origin_config" not in origin  # OAC, not the legacy origin access identity
    assert "ordered_cache_behavior" not in cdn and "web_acl_id" not in cdn


def test_oac_signs_every_request() -> None:
    oac = only(cdn_json(), "aws_cloudfront_origin_access_control")
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"], oac["signing_protocol"]) == (
        "s3",
        "always",
        "sigv4",
    )


def test_spa_bucket_policy_admits_only_this_distribution() -> None:
    document = cdn_json()
    policies = list(document["data"]["aws_iam_policy_document"].values())
    (spa_policy,) = [p for p in policies if any(s.get("sid") == "CloudFrontReadsSpa" for s in p["statement"])]
    (grant,) = [s for s in spa_policy["statement"] if s.get("sid") == "CloudFrontReadsSpa"]
    assert grant["principals"] == [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}]
    assert grant["actions"] == ["s3:GetObject"]
    (condition,) = grant["condition"]
    assert condition["variable"] == "AWS:SourceArn"
    (source,) = condition["values"]
    assert source.startswith("${aws_cloudfront_distribution.cdn_distribution_") and source.endswith(".arn}")
    assert {s["sid"] for s in spa_policy["statement"]} >= {"DenyInsecureTransport", "DenyOutdatedTls"}


def test_spa_bucket_is_private_sse_and_expires_old_versions() -> None:
    document = cdn_json(CdnConfig(enabled=True, noncurrent_days=7))
    assert set(buckets(document)) == {"acme-dev-spa-123456789012", "acme-dev-cdn-logs-123456789012"}
    assert all(
        block["restrict_public_buckets"] and block["block_public_acls"]
        for block in resources(document, "aws_s3_bucket_public_access_block").values()
    )
    rules = [
        rule for item in resources(document, "aws_s3_bucket_lifecycle_configuration").values() for rule in item["rule"]
    ]
    (spa_rule,) = [rule for rule in rules if rule["id"] == "expire-old-versions"]
    assert spa_rule["noncurrent_version_expiration"] == [{"noncurrent_days": 7}]
    for item in resources(document, "aws_s3_bucket_server_side_encryption_configuration").values():
        assert item["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


@pytest.mark.parametrize("versioning", [True, False])
def test_versioning_toggle(versioning: bool) -> None:
    document = cdn_json(CdnConfig(enabled=True, versioning=versioning, logging=CdnLoggingConfig(enabled=False)))
    assert len(resources(document, "aws_s3_bucket_versioning")) == (1 if versioning else 0)


@pytest.mark.parametrize("logging", [True, False])
def test_standard_logging_toggle(logging: bool) -> None:
    document = cdn_json(CdnConfig(enabled=True, logging=CdnLoggingConfig(enabled=logging, retention_days=30)))
    cdn = distribution(document)
    if not logging:
        assert "logging_config" not in cdn and len(buckets(document)) == 1
        return
    logs = cdn["logging_config"]
    assert (logs["include_cookies"], logs["prefix"]) == (False, "cloudfront/")
    assert logs["bucket"].startswith("${aws_s3_bucket.cdn_logs_bucket_") and logs["bucket"].endswith(
        ".bucket_domain_name}"
    )
    (rule,) = [
        r
        for item in resources(document, "aws_s3_bucket_lifecycle_configuration").values()
        for r in item["rule"]
        if r["id"] == "expire-access-logs"
    ]
    assert rule["expiration"] == [{"days": 30}]
    # legacy standard logging writes through an ACL: the log bucket must allow ACLs before logging is switched on
    owners = {
        item["rule"]["object_ownership"] for item in resources(document, "aws_s3_bucket_ownership_controls").values()
    }
    assert owners == {"BucketOwnerEnforced", "BucketOwnerPreferred"}
    assert cdn["depends_on"][0].startswith("aws_s3_bucket_ownership_controls.cdn_logs_ownership")


def test_custom_domain_needs_tls_1_2_and_sni() -> None:
    cdn = distribution(cdn_json(aliases=("app-dev.example.jp",), certificate_arn=US_CERTIFICATE))
    assert cdn["aliases"] == ["app-dev.example.jp"]
    assert cdn["viewer_certificate"] == {
        "acm_certificate_arn": US_CERTIFICATE,
        "minimum_protocol_version": "TLSv1.2_2021",
        "ssl_support_method": "sni-only",
    }
    default = distribution(cdn_json())
    assert "aliases" not in default and default["viewer_certificate"] == {"cloudfront_default_certificate": True}
    with pytest.raises(ValueError, match="aliases need a us-east-1 certificate"):
        cdn_json(aliases=("app-dev.example.jp",))


def test_api_paths_go_to_the_alb_uncached_with_the_secret_header() -> None:
    cdn = distribution(cdn_json(api=API, web_acl_arn="arn:aws:wafv2:us-east-1:1:global/webacl/x/y"))
    spa, alb = cdn["origin"]
    assert alb["domain_name"] == "api-dev.example.jp" and alb["origin_id"] == "alb"
    assert alb["custom_origin_config"]["origin_protocol_policy"] == "https-only"
    assert alb["custom_origin_config"]["origin_ssl_protocols"] == ["TLSv1.2"]
    assert alb["custom_header"] == [{"name": "X-Origin-Verify", "value": "v"}]
    (behaviour,) = cdn["ordered_cache_behavior"]
    assert behaviour["path_pattern"] == "/api/*" and behaviour["target_origin_id"] == "alb"
    assert behaviour["viewer_protocol_policy"] == "https-only"
    assert set(behaviour["allowed_methods"]) == {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
    assert behaviour["cache_policy_id"] == MANAGED_POLICIES["CachingDisabled"]
    assert behaviour["origin_request_policy_id"] == MANAGED_POLICIES["AllViewer"]
    assert behaviour["response_headers_policy_id"] == MANAGED_POLICIES["SecurityHeadersPolicy"]
    assert cdn["web_acl_id"] == "arn:aws:wafv2:us-east-1:1:global/webacl/x/y"
    assert spa["origin_id"] == "spa"


def certificates_json() -> Json:
    stack = TerraformStack(Testing.app(), "test")
    AwsProvider(stack, "aws", region="ap-northeast-1")
    east = AwsProvider(stack, "east", region="us-east-1", alias="us_east_1")
    zone = HostedZone(stack, "zone", zone="example.jp", create=False, protected=False)
    Certificates(
        stack,
        "certificates",
        zone_id=zone.zone_id,
        requests=[
            CertificateRequest("alb", ("api-dev.example.jp", "app-dev.example.jp")),
            CertificateRequest("cloudfront", ("app-dev.example.jp",), east),
        ],
        tags={},
    )
    return synth_json(stack)


def test_certificates_dns_validated_one_record_per_name() -> None:
    document = certificates_json()
    certificates = {item["domain_name"]: item for item in resources(document, "aws_acm_certificate").values()}
    assert certificates["api-dev.example.jp"]["subject_alternative_names"] == ["app-dev.example.jp"]
    assert "provider" not in certificates["api-dev.example.jp"]
    assert certificates["app-dev.example.jp"]["provider"] == "aws.us_east_1"
    assert all(c["validation_method"] == "DNS" for c in certificates.values())
    assert all(c["lifecycle"] == {"create_before_destroy": True} for c in certificates.values())
    records = resources(document, "aws_route53_record")
    assert len(records) == 2  # app-dev is on both certificates: ACM asks for the same CNAME in every region
    names = sorted(record["name"] for record in records.values())
    assert 'o.domain_name == "api-dev.example.jp"' in names[0] and 'o.domain_name == "app-dev.example.jp"' in names[1]
    validations = {
        item.get("provider", "aws"): item for item in resources(document, "aws_acm_certificate_validation").values()
    }
    assert len(validations["aws"]["validation_record_fqdns"]) == 2
    assert len(validations["aws.us_east_1"]["validation_record_fqdns"]) == 1
    assert validations["aws.us_east_1"]["validation_record_fqdns"][0] in validations["aws"]["validation_record_fqdns"]


@pytest.mark.parametrize("create", [True, False])
def test_zone_created_or_looked_up(create: bool) -> None:
    stack = TerraformStack(Testing.app(), "test")
    zone = HostedZone(stack, "zone", zone="example.jp", create=create, protected=True)
    document = synth_json(stack)
    if create:
        assert only(document, "aws_route53_zone")["lifecycle"] == {"prevent_destroy": True}
        assert zone.created and "data" not in document
    else:
        (found,) = document["data"]["aws_route53_zone"].values()
        assert (found["name"], found["private_zone"]) == ("example.jp", False)
        assert not zone.created and "resource" not in document


def test_alias_records_per_type() -> None:
    stack = TerraformStack(Testing.app(), "test")
    alias_records(
        stack,
        zone_id="Z1",
        records={
            "api.example.jp": AliasTarget("alb.example", "ZALB", ("A",)),
            "app.example.jp": AliasTarget("d.cloudfront.net", "Z2FDTNDATAQYW2", ("A", "AAAA")),
        },
    )
    records = sorted(
        (r["name"], r["type"], r["alias"]["zone_id"])
        for r in resources(synth_json(stack), "aws_route53_record").values()
    )
    assert records == [
        ("api.example.jp", "A", "ZALB"),
        ("app.example.jp", "A", "Z2FDTNDATAQYW2"),
        ("app.example.jp", "AAAA", "Z2FDTNDATAQYW2"),
    ]


def test_origin_secret_is_generated_write_only_and_read_by_version() -> None:
    stack = TerraformStack(Testing.app(), "test")
    secret = OriginSecret(stack, "origin_secret", name="acme-dev", kms_key_arn="k", version=3, recovery_window_days=7)
    origin_secret_value(stack, "read", secret_arn=secret.secret_arn, version_id=secret.version_id)
    document = synth_json(stack)
    version = only(document, "aws_secretsmanager_secret_version")
    assert (
        version["secret_string_wo"] == "${ephemeral.aws_secretsmanager_random_password.origin_secret.random_password}"
    )
    assert version["secret_string_wo_version"] == 3 and "secret_string" not in version
    assert document["ephemeral"]["aws_secretsmanager_random_password"]["origin_secret"] == {
        "password_length": 64,
        "exclude_punctuation": True,
    }
    assert only(document, "aws_secretsmanager_secret")["name"] == "acme-dev-cloudfront-origin"
    (read,) = document["data"]["aws_secretsmanager_secret_version"].values()
    # keyed on the version resource: a new version is read in the same apply that writes it
    assert read["version_id"].endswith(".version_id}") and "aws_secretsmanager_secret_version." in read["version_id"]


def test_edge_modules_validate_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    east = AwsProvider(stack, "east", region="us-east-1", alias="us_east_1")
    zone = HostedZone(stack, "zone", zone="example.jp", create=True, protected=False)
    certificates = Certificates(
        stack,
        "certificates",
        zone_id=zone.zone_id,
        requests=[
            CertificateRequest("alb", ("api-dev.example.jp", "app-dev.example.jp")),
            CertificateRequest("cloudfront", ("app-dev.example.jp",), east),
        ],
        tags={},
    )
    secret = OriginSecret(stack, "origin_secret", name="acme-dev", kms_key_arn="k", version=1, recovery_window_days=0)
    value = origin_secret_value(stack, "read", secret_arn=secret.secret_arn, version_id=secret.version_id)
    cdn = Cdn(
        stack,
        "cdn",
        name="acme-dev",
        account_id="123456789012",
        config=CdnConfig(enabled=True, api_paths=("/api/*",)),
        aliases=("app-dev.example.jp",),
        certificate_arn=certificates.validated_arns["cloudfront"],
        api=ApiOrigin("api-dev.example.jp", ("/api/*",), "X-Origin-Verify", value),
    )
    alias_records(
        stack,
        zone_id=zone.zone_id,
        records={"app-dev.example.jp": AliasTarget(cdn.domain_name, cdn.hosted_zone_id, ("A", "AAAA"))},
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)
    text = (tmp_path / "stacks" / "module" / "cdk.tf.json").read_text()
    assert json.loads(text)["ephemeral"]
