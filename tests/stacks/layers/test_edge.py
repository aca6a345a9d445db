"""The domain and edge layers in whole environments: what stg/prod of the reference config get, dev does not, and
the other side of each toggle (domain without CDN, CDN without API paths)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cdktf import Testing

from config import PlatformConfig
from stacks.platform import PlatformStack
from tests.conftest import Json, only, resources, synth_json

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"


def platform(config: PlatformConfig, name: str) -> tuple[PlatformStack, Json]:
    stack = PlatformStack(Testing.app(), name, project=config.project, environment=config.environment(name))
    return stack, synth_json(stack)


def https_listener(document: Json) -> Json:
    (found,) = [item for item in resources(document, "aws_lb_listener").values() if item["port"] == 443]
    return found


def records(document: Json) -> set[tuple[str, str, str]]:
    """(name, type, alias target attribute) of the alias records."""
    return {
        (record["name"], record["type"], record["alias"]["name"].split(".")[0].removeprefix("${"))
        for record in resources(document, "aws_route53_record").values()
        if "alias" in record
    }


def rate_statement(document: Json) -> Json:
    acl = next(a for a in resources(document, "aws_wafv2_web_acl").values() if a["scope"] == "REGIONAL")
    statement: Json = acl["rule"][0]["statement"]["rate_based_statement"]
    return statement


def test_stg_gets_names_certificates_cloudfront_and_a_locked_alb(reference_config: PlatformConfig) -> None:
    _, document = platform(reference_config, "stg")
    certificates = {item["domain_name"]: item for item in resources(document, "aws_acm_certificate").values()}
    assert certificates["api-stg.example.jp"]["subject_alternative_names"] == ["app-stg.example.jp"]
    assert certificates["app-stg.example.jp"]["provider"] == "aws.us_east_1"
    validations = {
        v.get("provider", "aws"): k for k, v in resources(document, "aws_acm_certificate_validation").items()
    }
    # the listener takes the validated certificate: it is created once ACM has issued it
    assert https_listener(document)["certificate_arn"] == (
        f"${{aws_acm_certificate_validation.{validations['aws']}.certificate_arn}}"
    )
    cdn = only(document, "aws_cloudfront_distribution")
    assert cdn["aliases"] == ["app-stg.example.jp"]
    assert cdn["viewer_certificate"]["acm_certificate_arn"] == (
        f"${{aws_acm_certificate_validation.{validations['aws.us_east_1']}.certificate_arn}}"
    )
    assert records(document) == {
        ("api-stg.example.jp", "A", "aws_lb"),
        ("app-stg.example.jp", "A", "aws_cloudfront_distribution"),
        ("app-stg.example.jp", "AAAA", "aws_cloudfront_distribution"),
    }
    https_sources = [
        rule for rule in resources(document, "aws_vpc_security_group_ingress_rule").values() if rule["from_port"] == 443
    ]
    (from_cloudfront,) = [rule for rule in https_sources if "prefix_list_id" in rule]
    assert from_cloudfront["prefix_list_id"].startswith("${data.aws_ec2_managed_prefix_list.")
    assert not [rule for rule in https_sources if rule.get("cidr_ipv4") == "0.0.0.0/0"]
    assert rate_statement(document)["aggregate_key_type"] == "FORWARDED_IP"
    cdn_acl = next(a for a in resources(document, "aws_wafv2_web_acl").values() if a["scope"] == "CLOUDFRONT")
    assert cdn_acl["provider"] == "aws.us_east_1" and cdn["web_acl_id"].endswith(".arn}")
    groups = {
        rule["statement"]["managed_rule_group_statement"]["name"]: rule["override_action"]
        for rule in cdn_acl["rule"]
        if "managed_rule_group_statement" in rule["statement"]
    }
    assert groups["AWSManagedRulesKnownBadInputsRuleSet"] == {"none": {}}  # Log4j rules block (checkov baseline)


def test_the_origin_secret_reaches_cloudfront_and_the_alb_by_reference_only(reference_config: PlatformConfig) -> None:
    _, document = platform(reference_config, "prod")
    reads = {
        key: read for key, read in document["data"]["aws_secretsmanager_secret_version"].items() if "origin" in key
    }
    (origin_version,) = [key for key in resources(document, "aws_secretsmanager_secret_version") if "origin" in key]
    assert set(reads) == {"alb_origin_secret", "cdn_origin_secret"}
    assert {read["version_id"] for read in reads.values()} == {
        f"${{aws_secretsmanager_secret_version.{origin_version}.version_id}}"
    }
    (alb_origin,) = only(document, "aws_cloudfront_distribution")["origin"][1:]
    (header,) = alb_origin["custom_header"]
    assert header["name"] == "X-Origin-Verify"
    assert header["value"] == "${data.aws_secretsmanager_secret_version.cdn_origin_secret.secret_string}"
    assert alb_origin["domain_name"] == "api.example.jp"
    conditions = [
        condition["http_header"]
        for rule in resources(document, "aws_lb_listener_rule").values()
        for condition in rule["condition"]
        if "http_header" in condition
    ]
    assert conditions and all(
        c["values"] == ["${data.aws_secretsmanager_secret_version.alb_origin_secret.secret_string}"] for c in conditions
    )
    assert https_listener(document)["default_action"][0]["fixed_response"]["status_code"] == "403"


def test_dev_has_no_edge(reference_config: PlatformConfig) -> None:
    stack, document = platform(reference_config, "dev")
    for resource_type in ("aws_acm_certificate", "aws_cloudfront_distribution", "aws_route53_record"):
        assert resource_type not in document["resource"]
    assert len(document["provider"]["aws"]) == 1
    assert https_listener(document)["certificate_arn"] == CERTIFICATE
    assert https_listener(document)["default_action"][0]["type"] == "forward"
    assert rate_statement(document)["aggregate_key_type"] == "IP"
    assert stack.layers.domain is None and stack.layers.edge.distribution_id is None
    assert not {"cloudfront_distribution_id", "spa_bucket_name", "app_url", "api_url", "dns_zone_name_servers"} & set(
        document["output"]
    )


def test_edge_outputs_are_described(reference_config: PlatformConfig) -> None:
    _, document = platform(reference_config, "prod")
    outputs = document["output"]
    for name in ("cloudfront_distribution_id", "cloudfront_domain_name", "spa_bucket_name", "app_url", "api_url"):
        assert outputs[name]["description"], name
    assert outputs["app_url"]["value"] == "https://app.example.jp"
    assert outputs["api_url"]["value"] == "https://app.example.jp"  # the API is reached through CloudFront
    assert outputs["dns_zone_name_servers"]["value"].startswith("${data.aws_route53_zone.")


def test_domain_without_cdn_serves_the_alb_only(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "stg": {"cdn": {"enabled": False}, "security": {"alb_ingress": "internet"}},
            }
        }
    )
    stack, document = platform(config, "stg")
    assert records(document) == {("api-stg.example.jp", "A", "aws_lb")}
    (certificate,) = resources(document, "aws_acm_certificate").values()
    assert certificate["domain_name"] == "api-stg.example.jp" and "subject_alternative_names" not in certificate
    assert "aws_cloudfront_distribution" not in document["resource"]
    assert len(document["provider"]["aws"]) == 1  # no us-east-1 provider when nothing lives there
    assert document["output"]["api_url"]["value"] == "https://api-stg.example.jp"
    assert stack.layers.load_balancing is not None and stack.layers.load_balancing.origin_secret is None


def test_www_without_cdn_is_an_alias_of_the_alb(config_with: Callable[[Json], PlatformConfig]) -> None:
    """Seed 004: no CloudFront, the ALB answers at the apex and at www; both names are on its certificate."""
    config = config_with(
        {"environments": {"prod": {"cdn": {"enabled": False}, "security": {"alb_ingress": "internet"}}}}
    )
    _, document = platform(config, "prod")
    assert records(document) == {("api.example.jp", "A", "aws_lb"), ("www.example.jp", "A", "aws_lb")}
    (certificate,) = resources(document, "aws_acm_certificate").values()
    assert (certificate["domain_name"], certificate["subject_alternative_names"]) == (
        "api.example.jp",
        ["www.example.jp"],
    )
    assert "aws_cloudfront_distribution" not in document["resource"]


def test_cdn_without_api_paths_leaves_the_alb_open(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "environments": {
                "stg": {"cdn": {"api_paths": [], "waf": {"enabled": False}}, "security": {"alb_ingress": "internet"}}
            }
        }
    )
    _, document = platform(config, "stg")
    cdn = only(document, "aws_cloudfront_distribution")
    assert len(cdn["origin"]) == 1 and "ordered_cache_behavior" not in cdn and "web_acl_id" not in cdn
    assert https_listener(document)["default_action"][0]["type"] == "forward"
    assert not [key for key in document["data"]["aws_secretsmanager_secret_version"] if "origin" in key]
    assert not [key for key in resources(document, "aws_secretsmanager_secret") if "origin" in key]
    assert rate_statement(document)["aggregate_key_type"] == "IP"
    assert [a["scope"] for a in resources(document, "aws_wafv2_web_acl").values()] == ["REGIONAL"]


@pytest.mark.parametrize("create", [True, False])
def test_zone_created_or_looked_up(config_with: Callable[[Json], PlatformConfig], create: bool) -> None:
    config = config_with({"environments": {"prod": {"domain": {"create_zone": create}}}})
    _, document = platform(config, "prod")
    assert ("aws_route53_zone" in document["resource"]) is create
    looked_up = {zone["name"] for zone in document["data"].get("aws_route53_zone", {}).values()}
    assert ("example.jp" in looked_up) is not create  # the mail domain's zone (acme.example) is looked up apart
    source = "${aws_route53_zone." if create else "${data.aws_route53_zone."
    assert document["output"]["dns_zone_name_servers"]["value"].startswith(source)
