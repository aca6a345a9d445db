"""The load balancer module: listeners, rules and priorities, target groups, blue/green, access logs, config errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from pydantic import ValidationError

from config.load_balancer import LoadBalancerConfig
from config.services import ServiceConfig
from modules.load_balancer import (
    AWS_NAME_LIMIT,
    LoadBalancer,
    RoutingConflictError,
    aws_name,
    listener_rules,
    rule_priorities,
)
from modules.load_balancer.names import target_group_name, target_group_shape
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
OTHER_CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/87654321-4321-4321-4321-210987654321"


def tuples(value: Any) -> Any:
    """Lists as tuples, as the loader hands TOML arrays to the strict models."""
    if isinstance(value, dict):
        return {key: tuples(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(tuples(item) for item in value)
    return value


def service(**fields: Any) -> ServiceConfig:
    return ServiceConfig.model_validate(tuples({"port": 8080, **fields}))


def lb_config(**fields: Any) -> LoadBalancerConfig:
    return LoadBalancerConfig.model_validate(tuples({"certificate_arn": CERTIFICATE, **fields}))


WEB = service(port=3000, routing={"default": True})
API = service(routing={"path_patterns": ["/api/*"]})


def lb_json(
    services: dict[str, ServiceConfig], config: LoadBalancerConfig | None = None, **kwargs: Any
) -> tuple[Json, LoadBalancer]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    lb = LoadBalancer(
        stack,
        "lb",
        name="acme-dev",
        config=config or lb_config(),
        services=services,
        vpc_id="vpc-123",
        public_subnet_ids=["subnet-a", "subnet-c"],
        security_group_id="sg-alb",
        **kwargs,
    )
    return synth_json(stack), lb


def listener(document: Json, port: int) -> Json:
    (found,) = [item for item in resources(document, "aws_lb_listener").values() if item["port"] == port]
    return found


SHAPE_SUFFIX = re.compile(r"-[0-9a-f]{4}$")


def stem(name: str) -> str:
    """A target group's name without its shape hash (`acme-dev-api-1a2b` -> `acme-dev-api`)."""
    assert SHAPE_SUFFIX.search(name), f"{name} has no shape hash"
    return SHAPE_SUFFIX.sub("", name)


def groups_by_name(document: Json) -> dict[str, Json]:
    """Target groups by name without the shape hash."""
    return {stem(group["name"]): group for group in resources(document, "aws_lb_target_group").values()}


def ref(document: Json, resource_type: str, name_attr: str, name: str) -> str:
    """`${type.logical_id.arn}` of the resource whose `name_attr` is `name` (target groups: without the hash)."""
    matches = stem if resource_type == "aws_lb_target_group" else str
    (logical_id,) = [
        key for key, item in resources(document, resource_type).items() if matches(item[name_attr]) == name
    ]
    return f"${{{resource_type}.{logical_id}.arn}}"


def rules_on(document: Json, port: int) -> list[Json]:
    listener_id = next(key for key, item in resources(document, "aws_lb_listener").items() if item["port"] == port)
    return [
        rule
        for rule in resources(document, "aws_lb_listener_rule").values()
        if rule["listener_arn"] == f"${{aws_lb_listener.{listener_id}.arn}}"
    ]


def test_internet_facing_alb_in_public_subnets() -> None:
    document, lb = lb_json({"web": WEB})
    alb = only(document, "aws_lb")
    assert alb["name"] == "acme-dev-alb" and alb["internal"] is False
    assert alb["load_balancer_type"] == "application"
    assert alb["subnets"] == ["subnet-a", "subnet-c"] and alb["security_groups"] == ["sg-alb"]
    assert alb["drop_invalid_header_fields"] is True and alb["desync_mitigation_mode"] == "defensive"
    assert lb.alb_dns_name.startswith("${") and lb.alb_zone_id.startswith("${") and lb.alb_arn_suffix.startswith("${")


def test_http_listener_only_redirects_to_https() -> None:
    document, _ = lb_json({"web": WEB})
    http = listener(document, 80)
    assert http["protocol"] == "HTTP"
    assert http["default_action"] == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}
    ]
    assert rules_on(document, 80) == []


def test_https_listener_uses_tls13_policy_and_the_certificate() -> None:
    document, _ = lb_json({"web": WEB})
    https = listener(document, 443)
    assert https["protocol"] == "HTTPS" and https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificate_arn"] == CERTIFICATE
    assert resources(document, "aws_lb_listener_certificate") == {}


def test_certificate_argument_overrides_config_and_extra_certificates_use_sni() -> None:
    config = lb_config(
        ssl_policy="ELBSecurityPolicy-TLS13-1-3-2021-06", additional_certificate_arns=[OTHER_CERTIFICATE]
    )
    document, _ = lb_json({"web": WEB}, config, certificate_arn="${aws_acm_certificate_validation.x.certificate_arn}")
    https = listener(document, 443)
    assert https["certificate_arn"] == "${aws_acm_certificate_validation.x.certificate_arn}"
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    assert only(document, "aws_lb_listener_certificate")["certificate_arn"] == OTHER_CERTIFICATE


def test_default_action_forwards_to_the_default_service() -> None:
    document, _ = lb_json({"web": WEB, "api": API})
    https = listener(document, 443)
    assert https["default_action"] == [
        {"type": "forward", "target_group_arn": ref(document, "aws_lb_target_group", "name", "acme-dev-web")}
    ]


def test_without_a_default_service_unmatched_requests_get_404() -> None:
    document, _ = lb_json({"api": API})
    (action,) = listener(document, 443)["default_action"]
    assert action["type"] == "fixed-response" and action["fixed_response"]["status_code"] == "404"


def test_path_rule_has_a_path_condition_only() -> None:
    document, _ = lb_json({"web": WEB, "api": API})
    (rule,) = rules_on(document, 443)
    assert rule["condition"] == [{"path_pattern": {"values": ["/api/*"]}}]
    assert rule["action"] == [
        {"type": "forward", "target_group_arn": ref(document, "aws_lb_target_group", "name", "acme-dev-api")}
    ]
    assert "lifecycle" not in rule


def test_host_rule_has_a_host_condition_only() -> None:
    admin = service(routing={"host_headers": ["admin.example.jp", "admin2.example.jp"]})
    document, _ = lb_json({"admin": admin})
    (rule,) = rules_on(document, 443)
    assert rule["condition"] == [{"host_header": {"values": ["admin.example.jp", "admin2.example.jp"]}}]


def test_host_and_path_rule_needs_both_and_splits_per_path() -> None:
    socket = service(routing={"host_headers": ["app.example.jp"], "path_patterns": ["/ws/*", "/socket"]})
    document, _ = lb_json({"realtime": socket})
    conditions = sorted(json.dumps(rule["condition"], sort_keys=True) for rule in rules_on(document, 443))
    assert [json.loads(item) for item in conditions] == [
        [{"host_header": {"values": ["app.example.jp"]}}, {"path_pattern": {"values": ["/socket"]}}],
        [{"host_header": {"values": ["app.example.jp"]}}, {"path_pattern": {"values": ["/ws/*"]}}],
    ]


def test_more_than_three_hosts_are_split_into_rules_alb_accepts() -> None:
    hosts = [f"h{index}.example.jp" for index in range(5)]
    document, _ = lb_json({"sites": service(routing={"host_headers": hosts})})
    values = [rule["condition"][0]["host_header"]["values"] for rule in rules_on(document, 443)]
    assert sorted(len(chunk) for chunk in values) == [2, 3]
    assert sorted(host for chunk in values for host in chunk) == hosts


def test_priorities_are_deterministic_and_unique() -> None:
    services = {
        "web": WEB,
        "api": service(routing={"path_patterns": ["/api/*", "/graphql"]}),
        "admin": service(routing={"path_patterns": ["/api/admin/*"]}),
        "grpc": service(protocol="grpc", port=50051, routing={"host_headers": ["grpc.example.jp"]}),
        "realtime": service(routing={"host_headers": ["app.example.jp"], "path_patterns": ["/ws/*"]}),
    }
    first, second = rule_priorities(services), rule_priorities(dict(reversed(services.items())))
    assert first == second
    assert first["web"] == ()
    every = [priority for priorities in first.values() for priority in priorities]
    assert len(every) == len(set(every)) == 5 and all(1 <= priority <= 50000 for priority in every)
    document, _ = lb_json(services)
    assert sorted(rule["priority"] for rule in rules_on(document, 443)) == sorted(every)


def test_more_specific_rules_match_first() -> None:
    services = {
        "api": service(routing={"path_patterns": ["/api/*"]}),
        "admin": service(routing={"path_patterns": ["/api/admin/*"]}),
        "health": service(routing={"path_patterns": ["/api"]}),
        "wild": service(routing={"path_patterns": ["/api*"]}),
        "grpc": service(routing={"host_headers": ["grpc.example.jp"]}),
        "realtime": service(routing={"host_headers": ["app.example.jp"], "path_patterns": ["/ws/*"]}),
    }
    priorities = {name: values[0] for name, values in rule_priorities(services).items()}
    order = sorted(priorities, key=priorities.__getitem__)
    # host+path first, then host only, then path rules by literal length (exact before wildcard)
    assert order == ["realtime", "grpc", "admin", "api", "health", "wild"]


def test_adding_a_service_keeps_the_other_priorities() -> None:
    before = {"web": WEB, "api": API, "grpc": service(routing={"host_headers": ["grpc.example.jp"]})}
    after = {**before, "admin": service(routing={"path_patterns": ["/api/admin/*", "/admin/*"]})}
    old, new = rule_priorities(before), rule_priorities(after)
    assert {name: new[name] for name in old} == old
    plan = listener_rules(after)
    assert [rule.service for rule in plan] == ["admin", "admin", "api", "grpc"]


def test_a_hash_collision_between_services_is_refused_instead_of_moving_a_live_rule() -> None:
    before = {"web": WEB, "api": API}
    assert rule_priorities(before)["api"] == (46933,)
    aaf = service(port=8090, routing={"path_patterns": ["/xyz/*"]})
    with pytest.raises(RoutingConflictError, match=r"listener priority 46933 is the slot of both 'aaf'.*'api'"):
        listener_rules({**before, "aaf": aaf})
    shifted = service(port=8090, routing={"path_patterns": ["/xyz/*"], "priority_offset": 1})
    after = rule_priorities({**before, "aaf": shifted})
    assert after["api"] == (46933,) and after["aaf"] == (46934,)
    document, _ = lb_json({**before, "aaf": shifted})
    assert sorted(rule["priority"] for rule in rules_on(document, 443)) == [46933, 46934]


def test_two_services_claiming_the_same_route_are_rejected() -> None:
    with pytest.raises(
        RoutingConflictError, match=r"services api and legacy both route host \(any host\) path /api/\*"
    ):
        listener_rules({"api": API, "legacy": service(routing={"path_patterns": ["/v1/*", "/api/*"]})})
    with pytest.raises(RoutingConflictError, match=r"services api, web all set routing\.default"):
        listener_rules({"web": WEB, "api": service(routing={"default": True})})
    # the same path under different hosts is fine
    listener_rules(
        {
            "a": service(routing={"host_headers": ["a.example.jp"], "path_patterns": ["/api/*"]}),
            "b": service(routing={"host_headers": ["b.example.jp"], "path_patterns": ["/api/*"]}),
        }
    )


def test_only_enabled_web_services_get_target_groups() -> None:
    services = {
        "web": WEB,
        "api": API,
        "worker": ServiceConfig.model_validate({"kind": "worker"}),
        "old": service(enabled=False, routing={"path_patterns": ["/old/*"]}),
    }
    document, lb = lb_json(services)
    assert sorted(groups_by_name(document)) == ["acme-dev-api", "acme-dev-web"]
    assert sorted(lb.target_groups) == ["api", "web"]
    assert len(rules_on(document, 443)) == 1


def test_target_groups_are_ip_targets_with_health_check_and_deregistration_delay() -> None:
    api = service(
        routing={
            "path_patterns": ["/api/*"],
            "health_check_path": "/api/health",
            "health_check_matcher": "200-299",
            "health_check_interval": 5,
            "healthy_threshold": 3,
            "unhealthy_threshold": 4,
            "deregistration_delay": 10,
        }
    )
    document, lb = lb_json({"api": api})
    group = groups_by_name(document)["acme-dev-api"]
    assert (group["target_type"], group["protocol"], group["protocol_version"], group["port"]) == (
        "ip",
        "HTTP",
        "HTTP1",
        8080,
    )
    assert group["vpc_id"] == "vpc-123" and group["deregistration_delay"] == "10"
    assert group["health_check"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/api/health",
        "matcher": "200-299",
        "interval": 5,
        "timeout": 4,
        "healthy_threshold": 3,
        "unhealthy_threshold": 4,
    }
    targets = lb.target_groups["api"]
    assert targets.container_port == 8080 and targets.primary_name.startswith("${")
    assert targets.secondary_arn is None and targets.secondary_name is None


def test_websocket_service_is_sticky_and_keeps_connections_an_hour() -> None:
    realtime = service(port=1234, protocol="websocket", routing={"path_patterns": ["/ws/*"]})
    document, lb = lb_json({"web": WEB, "realtime": realtime})
    assert only(document, "aws_lb")["idle_timeout"] == 3600 and lb.idle_timeout == 3600
    groups = groups_by_name(document)
    assert groups["acme-dev-realtime"]["stickiness"] == {"type": "lb_cookie", "enabled": True, "cookie_duration": 86400}
    assert groups["acme-dev-web"]["stickiness"] == {"type": "lb_cookie", "enabled": False}


def test_without_websocket_no_stickiness_and_default_idle_timeout() -> None:
    document, _ = lb_json({"web": WEB, "api": API})
    assert only(document, "aws_lb")["idle_timeout"] == 60
    assert all(group["stickiness"]["enabled"] is False for group in groups_by_name(document).values())
    assert all("cookie_duration" not in group["stickiness"] for group in groups_by_name(document).values())


def test_explicit_idle_timeout_and_stickiness_win() -> None:
    realtime = service(protocol="websocket", routing={"path_patterns": ["/ws/*"], "stickiness": False})
    sticky_web = service(routing={"default": True, "stickiness": True, "stickiness_seconds": 600})
    document, _ = lb_json({"realtime": realtime, "web": sticky_web}, lb_config(idle_timeout=900))
    assert only(document, "aws_lb")["idle_timeout"] == 900
    groups = groups_by_name(document)
    assert groups["acme-dev-realtime"]["stickiness"]["enabled"] is False
    assert groups["acme-dev-web"]["stickiness"] == {"type": "lb_cookie", "enabled": True, "cookie_duration": 600}


def test_grpc_service_gets_a_grpc_target_group() -> None:
    grpc = service(protocol="grpc", port=50051, routing={"host_headers": ["grpc.example.jp"]})
    document, _ = lb_json({"grpc": grpc, "web": WEB})
    groups = groups_by_name(document)
    assert groups["acme-dev-grpc"]["protocol_version"] == "GRPC" and groups["acme-dev-grpc"]["protocol"] == "HTTP"
    assert groups["acme-dev-grpc"]["health_check"]["matcher"] == "0-99"
    assert groups["acme-dev-grpc"]["health_check"]["path"] == "/grpc.health.v1.Health/Check"
    assert groups["acme-dev-web"]["protocol_version"] == "HTTP1"


def test_grpc_health_check_settings_from_config_are_kept_and_http_codes_rejected() -> None:
    grpc = service(
        protocol="grpc",
        routing={"host_headers": ["g.example.jp"], "health_check_path": "/x.Y/Z", "health_check_matcher": "0"},
    )
    document, _ = lb_json({"grpc": grpc})
    check = groups_by_name(document)["acme-dev-grpc"]["health_check"]
    assert (check["path"], check["matcher"]) == ("/x.Y/Z", "0")
    # An HTTP code on a gRPC service is refused by the config (ServiceConfig), before the module sees it.
    with pytest.raises(ValueError, match=r"'200': a gRPC target group matches gRPC status codes 0-99"):
        service(protocol="grpc", routing={"host_headers": ["g.example.jp"], "health_check_matcher": "200"})


def test_blue_green_service_gets_two_groups_and_a_test_listener() -> None:
    api = service(routing={"path_patterns": ["/api/*"]}, deployment={"strategy": "blue_green"})
    document, lb = lb_json({"web": WEB, "api": api})
    assert sorted(groups_by_name(document)) == ["acme-dev-api", "acme-dev-api-green", "acme-dev-web"]
    blue = ref(document, "aws_lb_target_group", "name", "acme-dev-api")
    green = ref(document, "aws_lb_target_group", "name", "acme-dev-api-green")

    (production_rule,) = rules_on(document, 443)
    assert production_rule["action"][0]["target_group_arn"] == blue
    # CodeDeploy owns the forward target; a replaced group (new port) replaces the rule so it never pins the old one
    group_ids = [f"aws_lb_target_group.{key}" for key in sorted(resources(document, "aws_lb_target_group"))]
    assert production_rule["lifecycle"]["ignore_changes"] == ["action"]
    assert sorted(production_rule["lifecycle"]["replace_triggered_by"]) == [
        ref_id for ref_id in group_ids if "_api_" in ref_id
    ]
    test = listener(document, 8443)
    assert test["protocol"] == "HTTPS" and test["certificate_arn"] == CERTIFICATE
    assert test["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    (test_rule,) = rules_on(document, 8443)
    assert test_rule["action"][0]["target_group_arn"] == green
    assert test_rule["condition"] == production_rule["condition"]
    assert test_rule["priority"] == production_rule["priority"]
    # the rolling default service is not reachable through the test listener
    assert test["default_action"][0]["type"] == "fixed-response"
    assert "lifecycle" not in listener(document, 443)

    targets = lb.target_groups["api"]
    assert targets.secondary_arn is not None and targets.secondary_name is not None
    assert lb.test_listener_arn is not None and lb.test_listener_arn != lb.https_listener_arn


def test_blue_green_default_service_lets_codedeploy_own_the_default_actions() -> None:
    web = service(port=3000, routing={"default": True}, deployment={"strategy": "blue_green"})
    document, _ = lb_json({"web": web}, lb_config(test_listener_port=9443))
    https, test = listener(document, 443), listener(document, 9443)
    assert https["default_action"][0]["target_group_arn"] == ref(
        document, "aws_lb_target_group", "name", "acme-dev-web"
    )
    assert test["default_action"][0]["target_group_arn"] == ref(
        document, "aws_lb_target_group", "name", "acme-dev-web-green"
    )
    assert https["lifecycle"] == test["lifecycle"] == {"ignore_changes": ["default_action"]}


def test_rolling_services_get_one_group_and_no_test_listener() -> None:
    document, lb = lb_json({"web": WEB, "api": API})
    assert len(resources(document, "aws_lb_target_group")) == 2
    assert sorted(item["port"] for item in resources(document, "aws_lb_listener").values()) == [80, 443]
    assert lb.test_listener_arn is None


@pytest.mark.parametrize("protected", [True, False])
def test_deletion_protection_passes_through(protected: bool) -> None:
    document, _ = lb_json({"web": WEB}, lb_config(deletion_protection=protected))
    assert only(document, "aws_lb")["enable_deletion_protection"] is protected


def test_access_logs_go_to_an_encrypted_bucket_elb_may_write_to() -> None:
    document, lb = lb_json({"web": WEB}, lb_config(access_logs={"retention_days": 30, "prefix": "edge"}))
    bucket_id, bucket = next(iter(resources(document, "aws_s3_bucket").items()))
    assert (
        bucket["bucket"].startswith("acme-dev-alb-logs-${data.aws_caller_identity.")
        and bucket["force_destroy"] is False
    )
    alb = only(document, "aws_lb")
    assert alb["access_logs"] == {"bucket": f"${{aws_s3_bucket.{bucket_id}.bucket}}", "enabled": True, "prefix": "edge"}
    assert alb["depends_on"] == [f"aws_s3_bucket_policy.{next(iter(resources(document, 'aws_s3_bucket_policy')))}"]
    assert lb.access_logs_bucket_name is not None

    encryption = only(document, "aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert only(document, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    public_access = only(document, "aws_s3_bucket_public_access_block")
    assert all(public_access[key] is True for key in ("block_public_acls", "block_public_policy", "ignore_public_acls"))
    lifecycle = only(document, "aws_s3_bucket_lifecycle_configuration")["rule"][0]
    assert lifecycle["expiration"] == [{"days": 30}] and lifecycle["status"] == "Enabled"

    assert "aws_elb_service_account" in document["data"]
    (elb_account_id,) = document["data"]["aws_elb_service_account"]
    policy = next(iter(document["data"]["aws_iam_policy_document"].values()))
    statements = {statement["sid"]: statement for statement in policy["statement"]}
    elb_write = statements["ElbAccountWritesLogs"]
    assert elb_write["actions"] == ["s3:PutObject"]
    assert elb_write["principals"] == [
        {"type": "AWS", "identifiers": [f"${{data.aws_elb_service_account.{elb_account_id}.arn}}"]}
    ]
    (log_objects,) = elb_write["resources"]
    assert "/edge/AWSLogs/${data.aws_caller_identity." in log_objects and log_objects.endswith(".account_id}/*")
    assert statements["LogDeliveryWritesLogs"]["resources"] == [log_objects]
    assert statements["LogDeliveryWritesLogs"]["principals"][0]["identifiers"] == [
        "logdelivery.elasticloadbalancing.amazonaws.com"
    ]
    deny = statements["DenyInsecureTransport"]
    assert deny["effect"] == "Deny" and deny["condition"][0]["variable"] == "aws:SecureTransport"


def test_access_logs_bucket_can_be_destroyed_when_asked() -> None:
    document, _ = lb_json({"web": WEB}, lb_config(access_logs={"force_destroy": True}))
    assert only(document, "aws_s3_bucket")["force_destroy"] is True


def test_access_logs_off_creates_no_bucket_and_no_access_logs_block() -> None:
    document, lb = lb_json({"web": WEB}, lb_config(access_logs={"enabled": False}))
    assert resources(document, "aws_s3_bucket") == {} and resources(document, "aws_s3_bucket_policy") == {}
    assert "aws_elb_service_account" not in document.get("data", {})
    alb = only(document, "aws_lb")
    assert "access_logs" not in alb and "depends_on" not in alb
    assert lb.access_logs_bucket_name is None


def test_a_port_change_replaces_the_target_group_under_a_new_name_before_the_old_one_goes() -> None:
    before, _ = lb_json({"api": API})
    after, _ = lb_json({"api": service(port=9090, routing={"path_patterns": ["/api/*"]})})
    grpc, _ = lb_json({"api": service(protocol="grpc", routing={"path_patterns": ["/api/*"]})})
    (old,), (new,), (other_protocol,) = (resources(d, "aws_lb_target_group").values() for d in (before, after, grpc))
    # a fixed name would collide with the group being replaced ("a target group with the same name exists")
    assert old["name"] != new["name"] and old["name"] != other_protocol["name"]
    assert stem(old["name"]) == stem(new["name"]) == "acme-dev-api"
    for group in (old, new):
        assert group["lifecycle"] == {"create_before_destroy": True}
    # the same shape keeps the same name: no replacement on re-synth
    assert (
        resources(lb_json({"api": API})[0], "aws_lb_target_group")[
            next(iter(resources(before, "aws_lb_target_group")))
        ]["name"]
        == old["name"]
    )
    # the listener rule follows the group by reference, so it is updated in place to the new one
    (rule,) = rules_on(after, 443)
    assert rule["action"][0]["target_group_arn"] == ref(after, "aws_lb_target_group", "name", "acme-dev-api")


def test_target_group_names_keep_the_shape_hash_within_32_characters() -> None:
    long_prefix = "platform-with-a-long-name-prod"
    names = {target_group_name(long_prefix, "a-very-long-service-x", API, green=green) for green in (False, True)} | {
        target_group_name(long_prefix, "a-very-long-service-x", service(port=9090, routing={"default": True}))
    }
    assert len(names) == 3 and all(len(name) <= AWS_NAME_LIMIT for name in names)
    assert len({name[-4:] for name in names}) == 2  # the hash follows the port, not the colour
    assert target_group_name("acme-dev", "api", API) == f"acme-dev-api-{target_group_shape(API)}"


def test_long_names_are_shortened_to_aws_limits_stably() -> None:
    long_service = "a-very-long-service-x"
    name = aws_name("platform-with-a-long-name-prod", long_service, "green")
    assert len(name) == AWS_NAME_LIMIT and name == aws_name("platform-with-a-long-name-prod", long_service, "green")
    assert name != aws_name("platform-with-a-long-name-prod", long_service)
    assert aws_name("acme-dev", "api") == "acme-dev-api"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, "certificate_arn"),
        ({"certificate_arn": "not-an-arn"}, "String should match pattern"),
        ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        ({"ssl_policy": "ELBSecurityPolicy-TLS-1-1-2017-01"}, "ssl_policy"),
        ({"test_listener_port": 443}, "already the HTTP .80. or HTTPS .443. listener"),
        ({"idle_timeout": 5000}, "less than or equal to 4000"),
        ({"additional_certificate_arns": [CERTIFICATE]}, "repeats certificate_arn"),
        ({"access_logs": {"retention_days": 0}}, "greater than or equal to 1"),
        ({"access_log": {}}, "Extra inputs are not permitted"),
    ],
)
def test_config_errors_name_the_problem(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        lb_config(**fields)


def test_certificate_comes_from_the_config_or_the_caller() -> None:
    assert LoadBalancerConfig.model_validate({}).certificate_arn is None  # [domain] may issue it instead
    with pytest.raises(ValueError, match="the HTTPS listener needs a certificate"):
        lb_json({"web": WEB}, LoadBalancerConfig.model_validate({}))
    document, _ = lb_json({"web": WEB}, LoadBalancerConfig.model_validate({}), certificate_arn=OTHER_CERTIFICATE)
    assert listener(document, 443)["certificate_arn"] == OTHER_CERTIFICATE


def test_load_balancer_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    LoadBalancer(
        stack,
        "lb",
        name="acme-prod",
        config=lb_config(additional_certificate_arns=[OTHER_CERTIFICATE]),
        services={
            "web": WEB,
            "api": service(routing={"path_patterns": ["/api/*"]}, deployment={"strategy": "blue_green"}),
            "grpc": service(protocol="grpc", port=50051, routing={"host_headers": ["grpc.example.jp"]}),
            "realtime": service(
                protocol="websocket", routing={"host_headers": ["app.example.jp"], "path_patterns": ["/ws/*"]}
            ),
        },
        vpc_id="vpc-0123456789abcdef0",
        public_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        security_group_id="sg-0123456789abcdef0",
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)


HEADER = ("X-Origin-Verify", "s3cr3t")


def test_origin_header_is_required_by_every_rule_and_the_rest_gets_403() -> None:
    document, lb = lb_json({"web": WEB, "api": API}, origin_header=HEADER)
    https = listener(document, 443)
    assert https["default_action"] == [
        {
            "type": "fixed-response",
            "fixed_response": {"content_type": "text/plain", "message_body": "Forbidden", "status_code": "403"},
        }
    ]
    header = {"http_header": {"http_header_name": "X-Origin-Verify", "values": ["s3cr3t"]}}
    rules = {rule["tags"]["Service"]: rule for rule in rules_on(document, 443)}
    assert set(rules) == {"web", "api"}
    assert rules["api"]["condition"] == [{"path_pattern": {"values": ["/api/*"]}}, header]
    # the default service is reached through a header-only rule at the last priority
    assert rules["web"]["condition"] == [header] and rules["web"]["priority"] == 50000
    assert rules["web"]["action"][0]["target_group_arn"] == ref(document, "aws_lb_target_group", "name", "acme-dev-web")
    assert lb.attachments["web"] and lb.attachments["api"]


def test_without_origin_header_the_default_service_is_the_default_action() -> None:
    document, _ = lb_json({"web": WEB, "api": API})
    assert listener(document, 443)["default_action"][0]["type"] == "forward"
    (rule,) = rules_on(document, 443)
    assert all("http_header" not in condition for condition in rule["condition"])


def test_origin_header_leaves_the_vpc_only_test_listener_alone() -> None:
    web = service(port=3000, routing={"default": True}, deployment={"strategy": "blue_green"})
    api = service(routing={"path_patterns": ["/api/*"]}, deployment={"strategy": "blue_green"})
    document, _ = lb_json({"web": web, "api": api}, origin_header=HEADER)
    test = listener(document, 8443)
    assert test["default_action"][0]["target_group_arn"] == ref(
        document, "aws_lb_target_group", "name", "acme-dev-web-green"
    )
    (test_rule,) = rules_on(document, 8443)
    assert all("http_header" not in condition for condition in test_rule["condition"])
    production = {rule["tags"]["Service"]: rule for rule in rules_on(document, 443)}
    # CodeDeploy swaps the blue/green default service's rule now, not the (403) default action
    assert production["web"]["lifecycle"]["ignore_changes"] == ["action"]
    assert "lifecycle" not in listener(document, 443)


def test_health_check_timeout_from_config_replaces_the_default() -> None:
    """Seed 001 waits 8 s for an answer every 45 s; without the key the timeout stays 5 s."""
    timed = service(routing={"path_patterns": ["/graphql"], "health_check_interval": 45, "health_check_timeout": 8})
    untimed = service(port=3000, routing={"default": True, "health_check_interval": 45})
    document, _ = lb_json({"graphql": timed, "web": untimed})
    groups = groups_by_name(document)
    assert (
        groups["acme-dev-graphql"]["health_check"]["interval"],
        groups["acme-dev-graphql"]["health_check"]["timeout"],
    ) == (45, 8)
    assert groups["acme-dev-web"]["health_check"]["timeout"] == 5
