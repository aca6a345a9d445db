"""The security module: the SG chain, WAF, generated secrets and per-service roles, with both sides of each toggle."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from pydantic import ValidationError

from config.base import FieldError
from config.security import SecurityConfig, WafConfig
from config.services import ServiceConfig
from modules.security import AppSecrets, SecurityGroups, ServiceRoles, WebAcl
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS = "arn:aws:kms:ap-northeast-1:111111111111:key/test"
LOG_GROUP = "arn:aws:logs:ap-northeast-1:111111111111:log-group:/ecs/acme-dev/api"
EXEC_LOG_GROUP = "arn:aws:logs:ap-northeast-1:111111111111:log-group:/ecs/acme-dev/exec"
ALB = "arn:aws:elasticloadbalancing:ap-northeast-1:111111111111:loadbalancer/app/acme-dev/1"


def security(**fields: Any) -> SecurityConfig:
    return SecurityConfig.model_validate(fields)


def service(**fields: Any) -> ServiceConfig:
    return ServiceConfig.model_validate(fields)


def web(port: int = 3000, **fields: Any) -> ServiceConfig:
    return service(port=port, routing={"default": True}, **fields)


SERVICES = {
    "api": web(3000, secrets={"DB_PASSWORD": "db:password", "REDIS_AUTH": "redis:auth_token"}),
    "web": web(8080),
    "worker": service(kind="worker", data_access=["database"]),
}
"""api reaches both stores through its secrets, worker the database by declaration, web neither."""


def groups_json(
    config: SecurityConfig | None = None,
    services: dict[str, ServiceConfig] | None = None,
    *,
    database: bool = True,
    cache: bool = True,
    functions: dict[str, tuple[Literal["database", "cache"], ...]] | None = None,
) -> tuple[Json, SecurityGroups]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    groups = SecurityGroups(
        stack,
        "security_groups",
        name="acme-dev",
        vpc_id="vpc-123",
        config=config or security(),
        services=SERVICES if services is None else services,
        database=database,
        cache=cache,
        functions=functions,
    )
    return synth_json(stack), groups


def group_ref(document: Json, sg_name: str) -> str:
    """The `${aws_security_group.<id>.id}` reference of the SG called `sg_name`."""
    (logical,) = [key for key, sg in resources(document, "aws_security_group").items() if sg["name"] == sg_name]
    return f"${{aws_security_group.{logical}.id}}"


def rules(document: Json, direction: str, sg_name: str) -> list[Json]:
    """The ingress or egress rules attached to the SG called `sg_name`."""
    ref = group_ref(document, sg_name)
    found = resources(document, f"aws_vpc_security_group_{direction}_rule").values()
    return [rule for rule in found if rule["security_group_id"] == ref]


def ports_and_sources(rule_list: list[Json]) -> set[tuple[int, str]]:
    return {
        (rule["from_port"], rule.get("cidr_ipv4") or rule.get("prefix_list_id") or rule["referenced_security_group_id"])
        for rule in rule_list
    }


# --- security groups ---------------------------------------------------------------------------------------------


def test_alb_takes_http_and_https_from_the_internet_by_default() -> None:
    document, _ = groups_json()
    assert ports_and_sources(rules(document, "ingress", "acme-dev-alb")) == {(80, "0.0.0.0/0"), (443, "0.0.0.0/0")}
    assert "aws_ec2_managed_prefix_list" not in document.get("data", {})


def test_alb_https_only_from_cloudfront_prefix_list() -> None:
    document, _ = groups_json(security(alb_ingress="cloudfront"))
    (logical, prefix_list), *_ = document["data"]["aws_ec2_managed_prefix_list"].items()
    assert prefix_list["name"] == "com.amazonaws.global.cloudfront.origin-facing"
    ingress = rules(document, "ingress", "acme-dev-alb")
    assert ports_and_sources(ingress) == {
        (80, "0.0.0.0/0"),  # still open for the HTTP -> HTTPS redirect, as seed 002 does
        (443, f"${{data.aws_ec2_managed_prefix_list.{logical}.id}}"),
    }
    assert not any(rule["from_port"] == 443 and "cidr_ipv4" in rule for rule in ingress)


def test_web_service_accepts_its_port_from_the_alb_only() -> None:
    document, groups = groups_json()
    alb = group_ref(document, "acme-dev-alb")
    for name, port in (("api", 3000), ("web", 8080)):
        ingress = rules(document, "ingress", f"acme-dev-{name}")
        assert [(r["from_port"], r["to_port"], r["ip_protocol"]) for r in ingress] == [(port, port, "tcp")]
        assert ingress[0]["referenced_security_group_id"] == alb and "cidr_ipv4" not in ingress[0]
    assert rules(document, "ingress", "acme-dev-worker") == []
    assert sorted(groups.service_security_group_ids) == ["api", "web", "worker"]
    assert groups.alb_security_group_id is not None


def test_alb_sends_only_to_web_service_ports() -> None:
    document, _ = groups_json()
    assert ports_and_sources(rules(document, "egress", "acme-dev-alb")) == {
        (3000, group_ref(document, "acme-dev-api")),
        (8080, group_ref(document, "acme-dev-web")),
    }


def test_services_reach_only_the_stores_they_use() -> None:
    document, _ = groups_json()
    database, cache = group_ref(document, "acme-dev-database"), group_ref(document, "acme-dev-cache")
    assert ports_and_sources(rules(document, "egress", "acme-dev-api")) == {
        (443, "0.0.0.0/0"),
        (5432, database),
        (6379, cache),
    }
    assert ports_and_sources(rules(document, "egress", "acme-dev-worker")) == {(443, "0.0.0.0/0"), (5432, database)}
    assert ports_and_sources(rules(document, "egress", "acme-dev-web")) == {(443, "0.0.0.0/0")}


def test_database_and_cache_accept_service_groups_never_cidrs() -> None:
    document, _ = groups_json()
    expected = {"acme-dev-database": {"api", "worker"}, "acme-dev-cache": {"api"}}
    for sg_name, port in (("acme-dev-database", 5432), ("acme-dev-cache", 6379)):
        ingress = rules(document, "ingress", sg_name)
        sources = {group_ref(document, f"acme-dev-{name}") for name in expected[sg_name]}
        assert {rule["referenced_security_group_id"] for rule in ingress} == sources
        assert all(rule["from_port"] == rule["to_port"] == port for rule in ingress)
        assert not any("cidr_ipv4" in rule or "prefix_list_id" in rule for rule in ingress)
        assert rules(document, "egress", sg_name) == []


def test_explicit_data_access_overrides_secret_references() -> None:
    assert web(secrets={"DB": "db:password"}).reaches("database")
    assert not web(secrets={"DB": "db:password"}, data_access=[]).reaches("database")
    assert web(data_access=["cache"]).reaches("cache") and not web().reaches("cache")


def test_blue_green_test_listener_is_open_to_the_vpc_only() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    SecurityGroups(
        stack,
        "security_groups",
        name="acme-dev",
        vpc_id="vpc-1",
        config=security(),
        services=SERVICES,
        database=False,
        cache=False,
        test_listener_port=8443,
        vpc_cidr="10.0.0.0/16",
    )
    document = synth_json(stack)
    assert (8443, "10.0.0.0/16") in ports_and_sources(rules(document, "ingress", "acme-dev-alb"))
    without, _ = groups_json()
    assert all(rule["from_port"] != 8443 for rule in rules(without, "ingress", "acme-dev-alb"))


def test_bastion_adds_database_and_cache_sources() -> None:
    off, off_groups = groups_json(security(bastion=False))
    on, on_groups = groups_json(security(bastion=True))
    assert off_groups.bastion_security_group_id is None and on_groups.bastion_security_group_id is not None
    assert "acme-dev-bastion" not in {sg["name"] for sg in resources(off, "aws_security_group").values()}
    bastion = group_ref(on, "acme-dev-bastion")
    for sg_name in ("acme-dev-database", "acme-dev-cache"):
        assert len(rules(on, "ingress", sg_name)) == len(rules(off, "ingress", sg_name)) + 1
        assert bastion in {rule["referenced_security_group_id"] for rule in rules(on, "ingress", sg_name)}
    assert rules(on, "ingress", "acme-dev-bastion") == []  # reached through SSM only
    assert ports_and_sources(rules(on, "egress", "acme-dev-bastion")) == {
        (443, "0.0.0.0/0"),
        (5432, group_ref(on, "acme-dev-database")),
        (6379, group_ref(on, "acme-dev-cache")),
    }


def test_no_database_or_cache_means_no_groups_and_no_rules() -> None:
    document, groups = groups_json(security(bastion=True), database=False, cache=False)
    assert groups.database_security_group_id is None and groups.cache_security_group_id is None
    assert {sg["name"] for sg in resources(document, "aws_security_group").values()} == {
        "acme-dev-alb",
        "acme-dev-api",
        "acme-dev-web",
        "acme-dev-worker",
        "acme-dev-bastion",
    }
    ports = {
        rule["from_port"]
        for kind in ("ingress", "egress")
        for rule in resources(document, f"aws_vpc_security_group_{kind}_rule").values()
    }
    assert 5432 not in ports and 6379 not in ports


def test_database_without_cache() -> None:
    document, groups = groups_json(database=True, cache=False)
    assert groups.database_security_group_id is not None and groups.cache_security_group_id is None
    assert "acme-dev-cache" not in {sg["name"] for sg in resources(document, "aws_security_group").values()}


def test_groups_have_no_inline_rules_and_every_rule_a_description() -> None:
    document, _ = groups_json(security(bastion=True, alb_ingress="cloudfront"))
    for group in resources(document, "aws_security_group").values():
        assert "ingress" not in group and "egress" not in group
        assert group["description"] and group["vpc_id"] == "vpc-123"
    for kind in ("ingress", "egress"):
        for rule in resources(document, f"aws_vpc_security_group_{kind}_rule").values():
            assert rule["description"] and rule["ip_protocol"] == "tcp"


def test_lambda_functions_get_their_own_group_and_reach_only_the_stores_they_name() -> None:
    document, groups = groups_json(functions={"items": ("database",), "hooks": ()})
    assert set(groups.function_security_group_ids) == {"hooks", "items"}
    for name in ("acme-dev-fn-items", "acme-dev-fn-hooks"):
        assert rules(document, "ingress", name) == []
    items = group_ref(document, "acme-dev-fn-items")
    hooks = group_ref(document, "acme-dev-fn-hooks")
    assert ports_and_sources(rules(document, "egress", "acme-dev-fn-items")) == {
        (443, "0.0.0.0/0"),
        (5432, group_ref(document, "acme-dev-database")),
    }
    assert ports_and_sources(rules(document, "egress", "acme-dev-fn-hooks")) == {(443, "0.0.0.0/0")}
    database_sources = {source for _, source in ports_and_sources(rules(document, "ingress", "acme-dev-database"))}
    cache_sources = {source for _, source in ports_and_sources(rules(document, "ingress", "acme-dev-cache"))}
    assert items in database_sources and hooks not in database_sources
    assert items not in cache_sources and hooks not in cache_sources


def test_no_functions_no_function_groups() -> None:
    document, groups = groups_json()
    assert groups.function_security_group_ids == {}
    assert not [sg for sg in resources(document, "aws_security_group").values() if "-fn-" in sg["name"]]


def test_disabled_service_gets_no_group() -> None:
    document, groups = groups_json(services={"api": web(3000), "web": web(8080, enabled=False)})
    assert sorted(groups.service_security_group_ids) == ["api"]
    assert "acme-dev-web" not in {sg["name"] for sg in resources(document, "aws_security_group").values()}


def test_service_named_like_a_tier_is_rejected() -> None:
    with pytest.raises(ValueError, match="database"):
        groups_json(services={"database": web(3000)})


# --- WAF ---------------------------------------------------------------------------------------------------------


def waf_json(config: WafConfig) -> tuple[Json, WebAcl]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    acl = WebAcl(stack, "waf", name="acme-dev", config=config, alb_arn=ALB, log_kms_key_arn=KMS)
    return synth_json(stack), acl


def test_waf_on_creates_acl_with_managed_groups_and_rate_limit() -> None:
    document, acl = waf_json(WafConfig())
    web_acl = only(document, "aws_wafv2_web_acl")
    assert web_acl["scope"] == "REGIONAL" and web_acl["default_action"] == {"allow": {}}
    rate, *managed = web_acl["rule"]
    assert rate["statement"]["rate_based_statement"] == {
        "limit": 2000,
        "evaluation_window_sec": 300,
        "aggregate_key_type": "IP",
    }
    assert rate["action"] == {"block": {}}
    assert [rule["statement"]["managed_rule_group_statement"] for rule in managed] == [
        {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"},
        {"name": "AWSManagedRulesSQLiRuleSet", "vendor_name": "AWS"},
        {"name": "AWSManagedRulesKnownBadInputsRuleSet", "vendor_name": "AWS"},
    ]
    assert all(rule["override_action"] == {"none": {}} for rule in managed)
    assert [rule["priority"] for rule in web_acl["rule"]] == [0, 1, 2, 3]
    for visibility in [web_acl["visibility_config"], *(rule["visibility_config"] for rule in web_acl["rule"])]:
        assert visibility["cloudwatch_metrics_enabled"] is True and visibility["sampled_requests_enabled"] is True
        assert re.fullmatch(r"[A-Za-z0-9_-]+", visibility["metric_name"])
    association = only(document, "aws_wafv2_web_acl_association")
    assert association["resource_arn"] == ALB and "aws_wafv2_web_acl." in association["web_acl_arn"]
    assert acl.web_acl_arn is not None


def test_waf_off_creates_nothing() -> None:
    document, acl = waf_json(WafConfig(enabled=False))
    assert "resource" not in document or not document["resource"]
    assert acl.web_acl_arn is None


def test_waf_rate_limit_and_window_pass_through() -> None:
    document, _ = waf_json(WafConfig(rate_limit=300, rate_window_seconds=60))
    statement = only(document, "aws_wafv2_web_acl")["rule"][0]["statement"]["rate_based_statement"]
    assert (statement["limit"], statement["evaluation_window_sec"]) == (300, 60)


def test_waf_count_rules_override_single_rules() -> None:
    document, _ = waf_json(WafConfig(count_rules={"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}))
    common = only(document, "aws_wafv2_web_acl")["rule"][1]["statement"]["managed_rule_group_statement"]
    assert common["rule_action_override"] == [{"name": "SizeRestrictions_BODY", "action_to_use": {"count": {}}}]


def test_waf_logs_redact_credentials_and_can_be_turned_off() -> None:
    document, _ = waf_json(WafConfig())
    log_group = only(document, "aws_cloudwatch_log_group")
    assert log_group["name"] == "aws-waf-logs-acme-dev" and log_group["kms_key_id"] == KMS
    logging = only(document, "aws_wafv2_web_acl_logging_configuration")
    assert [field["single_header"]["name"] for field in logging["redacted_fields"]] == ["authorization", "cookie"]
    quiet, _ = waf_json(WafConfig(logging=False))
    assert resources(quiet, "aws_cloudwatch_log_group") == {}
    assert resources(quiet, "aws_wafv2_web_acl_logging_configuration") == {}


# --- secrets and parameters ----------------------------------------------------------------------------------------

SECRETS = security(
    secrets={"jwt-secret": {"description": "JWT signing key"}, "api-token": {"length": 48, "version": 3}},
    parameters={
        "db/name": {"value": "app"},
        "db/host": {},
        "db/password": {"type": "SecureString", "description": "legacy DB password"},
    },
)


def secrets_json(
    config: SecurityConfig = SECRETS, values: dict[str, str] | None = None
) -> tuple[Json, str, AppSecrets]:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    app_secrets = AppSecrets(
        stack,
        "secrets",
        name="acme-dev",
        project="acme",
        environment="dev",
        config=config,
        kms_key_arn=KMS,
        values={"db/host": "db.internal"} if values is None else values,
    )
    text = Testing.synth(stack)
    return json.loads(text), text, app_secrets


def test_secrets_are_encrypted_and_written_only_through_write_only_arguments() -> None:
    document, _, app_secrets = secrets_json()
    secrets = resources(document, "aws_secretsmanager_secret")
    assert sorted(s["name"] for s in secrets.values()) == ["acme-dev/api-token", "acme-dev/jwt-secret"]
    assert all(s["kms_key_id"] == KMS and s["recovery_window_in_days"] == 7 for s in secrets.values())
    versions = resources(document, "aws_secretsmanager_secret_version").values()
    ephemeral = document["ephemeral"]["aws_secretsmanager_random_password"]
    for version in versions:
        assert "secret_string" not in version
        match = re.fullmatch(
            r"\$\{ephemeral\.aws_secretsmanager_random_password\.(\w+)\.random_password}", version["secret_string_wo"]
        )
        assert match and match.group(1) in ephemeral
    assert sorted(v["secret_string_wo_version"] for v in versions) == [1, 3]
    assert sorted((e["password_length"], e["exclude_punctuation"]) for e in ephemeral.values()) == [
        (32, True),
        (48, True),
        (64, True),
    ]
    assert sorted(app_secrets.secret_arns) == ["api-token", "jwt-secret"]


def test_no_secret_value_in_synthesized_json() -> None:
    document, text, _ = secrets_json()
    assert '"secret_string"' not in text and '"secret_binary"' not in text
    assert "aws_secretsmanager_random_password" not in document.get("data", {})  # a data source would land in state
    assert '"random_password"' not in text
    secure = [p for p in resources(document, "aws_ssm_parameter").values() if p["type"] == "SecureString"]
    assert secure and all("value" not in p and "insecure_value" not in p for p in secure)
    # only references to ephemeral values, never a literal, feed the write-only arguments
    write_only = re.findall(r'"(?:secret_string_wo|value_wo)": "([^"]*)"', text)
    assert len(write_only) == 3 and all(value.startswith("${ephemeral.") for value in write_only)


def test_parameters_under_project_and_environment_prefix() -> None:
    document, _, app_secrets = secrets_json()
    parameters = {p["name"]: p for p in resources(document, "aws_ssm_parameter").values()}
    assert sorted(parameters) == ["/acme/dev/db/host", "/acme/dev/db/name", "/acme/dev/db/password"]
    assert parameters["/acme/dev/db/name"]["value"] == "app" and parameters["/acme/dev/db/name"]["type"] == "String"
    assert parameters["/acme/dev/db/host"]["value"] == "db.internal"  # supplied by the stack
    password = parameters["/acme/dev/db/password"]
    assert password["key_id"] == KMS and password["value_wo_version"] == 1
    assert sorted(app_secrets.parameter_arns) == ["db/host", "db/name", "db/password"]
    assert app_secrets.parameter_names["db/host"] == "/acme/dev/db/host"


def test_custom_parameter_prefix() -> None:
    config = security(parameter_prefix="/dev", parameters={"db/name": {"value": "app"}})
    document, _, _ = secrets_json(config, values={})
    assert only(document, "aws_ssm_parameter")["name"] == "/dev/db/name"


def test_string_parameter_without_any_value_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"security.parameters.db/host has no value"):
        secrets_json(values={})
    with pytest.raises(ValueError, match="undeclared parameters: nope"):
        secrets_json(values={"db/host": "x", "nope": "y"})


def test_no_secrets_no_ephemeral_blocks() -> None:
    document, _, app_secrets = secrets_json(security(), values={})
    assert "ephemeral" not in document and app_secrets.secret_arns == {} and app_secrets.parameter_arns == {}


def test_arns_for_a_service_are_exactly_its_references() -> None:
    _, _, app_secrets = secrets_json()
    api = web(secrets={"JWT": "secret:jwt-secret", "DB_PASSWORD": "ssm:db/password", "PW": "db:password"})
    secret_arns, parameter_arns = app_secrets.arns_for(api)
    assert secret_arns == [app_secrets.secret_arns["jwt-secret"]]
    assert parameter_arns == [app_secrets.parameter_arns["db/password"]]


# --- IAM roles -----------------------------------------------------------------------------------------------------


def roles_json(
    service_config: ServiceConfig,
    *,
    secret_arns: tuple[str, ...] = ("arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme-dev/jwt-AbCdEf",),
    parameter_arns: tuple[str, ...] = ("arn:aws:ssm:ap-northeast-1:111111111111:parameter/dev/db/password",),
    exec_log_group_arn: str | None = EXEC_LOG_GROUP,
) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    ServiceRoles(
        stack,
        "api_roles",
        name="acme-dev",
        service_name="api",
        service=service_config,
        log_group_arn=LOG_GROUP,
        secret_arns=secret_arns,
        parameter_arns=parameter_arns,
        kms_key_arn=KMS,
        exec_log_group_arn=exec_log_group_arn,
    )
    return synth_json(stack)


def policy_statements(document: Json, suffix: str) -> dict[str, Json]:
    """Statements by sid of the policy document whose logical id starts with api_roles_<suffix>."""
    documents = document["data"]["aws_iam_policy_document"]
    (policy,) = [p for key, p in documents.items() if key.startswith(f"api_roles_{suffix}")]
    return {statement.get("sid", ""): statement for statement in policy["statement"]}


def test_roles_trust_ecs_tasks_of_this_account_only() -> None:
    document = roles_json(web())
    roles = {role["name"]: role for role in resources(document, "aws_iam_role").values()}
    assert sorted(roles) == ["acme-dev-api-execution", "acme-dev-api-task"]
    (trust,) = policy_statements(document, "assume").values()
    assert trust["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
    assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}


def test_execution_role_reads_exactly_the_given_secrets_and_parameters() -> None:
    statements = policy_statements(roles_json(web()), "execution_permissions")
    assert statements["ReadSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert statements["ReadSecrets"]["resources"] == [
        "arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:acme-dev/jwt-AbCdEf"
    ]
    assert statements["ReadParameters"] == {
        "sid": "ReadParameters",
        "actions": ["ssm:GetParameters"],
        "resources": ["arn:aws:ssm:ap-northeast-1:111111111111:parameter/dev/db/password"],
    }
    assert statements["DecryptSecrets"]["resources"] == [KMS]
    assert statements["DecryptSecrets"]["condition"][0]["variable"] == "kms:ViaService"
    assert statements["WriteLogs"]["resources"] == [LOG_GROUP, f"{LOG_GROUP}:*"]
    assert statements["PullImage"]["resources"][0].endswith(":repository/acme-dev-api")
    assert [sid for sid, s in statements.items() if "*" in s["resources"]] == ["EcrAuthorization"]
    assert statements["EcrAuthorization"]["actions"] == ["ecr:GetAuthorizationToken"]


def test_execution_role_without_secrets_has_no_secret_or_key_access() -> None:
    statements = policy_statements(roles_json(web(), secret_arns=(), parameter_arns=()), "execution_permissions")
    assert sorted(statements) == ["EcrAuthorization", "PullImage", "WriteLogs"]


def test_exec_on_grants_ssm_channels_and_exec_logs() -> None:
    document = roles_json(web(exec=True))
    statements = policy_statements(document, "task_permissions")
    assert statements["ExecChannels"]["actions"] == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    assert statements["ExecWriteLogs"]["resources"] == [EXEC_LOG_GROUP, f"{EXEC_LOG_GROUP}:*"]
    assert {sid for sid, s in statements.items() if "*" in s["resources"]} == {"ExecChannels", "ExecFindLogGroup"}
    assert len(resources(document, "aws_iam_role_policy")) == 2


def test_exec_off_task_role_has_no_permissions() -> None:
    document = roles_json(web(exec=False))
    assert "ssmmessages" not in json.dumps(document)
    assert [p["name"] for p in resources(document, "aws_iam_role_policy").values()] == ["start-task"]
    assert not any(key.startswith("api_roles_task_permissions") for key in document["data"]["aws_iam_policy_document"])


def test_custom_metric_scaling_lets_the_app_publish_into_that_namespace_only() -> None:
    scaled = web(autoscaling={"custom_metric": {"namespace": "Realtime", "name": "ActiveConnections", "target": 500.0}})
    statements = policy_statements(roles_json(scaled), "task_permissions")
    assert statements["PublishScalingMetric"]["actions"] == ["cloudwatch:PutMetricData"]
    assert statements["PublishScalingMetric"]["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["Realtime"]}
    ]
    assert "ExecChannels" not in statements
    # cpu scaling alone publishes nothing
    assert "cloudwatch" not in json.dumps(roles_json(web(autoscaling={"cpu_target": 70.0})))


# --- config validation ---------------------------------------------------------------------------------------------


def field_error(model: type[Any], data: Json) -> FieldError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    (detail,) = caught.value.errors()
    error = (detail.get("ctx") or {}).get("error")
    assert isinstance(error, FieldError), detail
    return error


def validation_error(model: type[Any], data: Json) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    (detail,) = caught.value.errors()
    return dict(detail)


def test_defaults() -> None:
    config = SecurityConfig()
    assert (config.alb_ingress, config.bastion, config.secrets, config.parameters) == ("internet", False, {}, {})
    assert (config.waf.enabled, config.waf.rate_limit, config.waf.rate_window_seconds) == (True, 2000, 300)
    assert config.waf.managed_rule_groups == (
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    )
    secret = security(secrets={"jwt-secret": {}}).secrets["jwt-secret"]
    assert (secret.length, secret.exclude_punctuation, secret.recovery_window_days, secret.version) == (
        64,
        True,
        None,
        1,
    )
    assert security(secrets={"jwt-secret": {}}).recovery_window("jwt-secret") == 7


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"waf": {"rate_limit": 5}}, ("waf", "rate_limit"), "greater than or equal to 10"),
        ({"waf": {"rate_window_seconds": 30}}, ("waf", "rate_window_seconds"), "60, 120, 300 or 600"),
        ({"waf": {"managed_rule_groups": ["AWSManagedRulesNope"]}}, ("waf", "managed_rule_groups", 0), "CommonRuleSet"),
        ({"alb_ingress": "vpn"}, ("alb_ingress",), "'internet' or 'cloudfront'"),
        ({"secrets": {"JWT": {}}}, ("secrets", "JWT", "[key]"), "should match pattern"),
        ({"secrets": {"jwt": {"lenght": 32}}}, ("secrets", "jwt", "lenght"), "Extra inputs"),
        ({"parameter_prefix": "dev/"}, ("parameter_prefix",), "should match pattern"),
    ],
)
def test_bad_values_name_the_key(data: Json, loc: tuple[Any, ...], message: str) -> None:
    detail = validation_error(SecurityConfig, data)
    assert tuple(detail["loc"]) == loc and message in detail["msg"]


@pytest.mark.parametrize(
    ("model", "data", "key", "message"),
    [
        (
            WafConfig,
            {"managed_rule_groups": ["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesSQLiRuleSet"]},
            "managed_rule_groups",
            "twice",
        ),
        (
            WafConfig,
            {"count_rules": {"AWSManagedRulesLinuxRuleSet": ["LFI_URIPATH"]}},
            "count_rules.AWSManagedRulesLinuxRuleSet",
            "does not list",
        ),
        (WafConfig, {"log_retention_days": 10}, "log_retention_days", "not a CloudWatch Logs retention"),
        (SecurityConfig, {"parameters": {"db/pw": {"type": "SecureString", "value": "x"}}}, "value", "generated"),
        (SecurityConfig, {"secrets": {"jwt": {"recovery_window_days": 3}}}, "recovery_window_days", "7 to 30"),
        (
            SecurityConfig,
            {"parameters": {"db/host": {"value": "a"}, "db-host": {"value": "b"}}},
            "parameters.db-host",
            "clashes with security.parameters.db/host",
        ),
    ],
)
def test_cross_field_problems_raise_field_errors(model: type[Any], data: Json, key: str, message: str) -> None:
    error = field_error(model, data)
    assert error.key == key and message in error.message


# --- real Terraform ------------------------------------------------------------------------------------------------


def test_security_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    config = security(
        alb_ingress="cloudfront",
        bastion=True,
        waf={"count_rules": {"AWSManagedRulesCommonRuleSet": ["SizeRestrictions_BODY"]}},
        secrets={"jwt-secret": {"description": "JWT signing key"}},
        parameters={"db/name": {"value": "app"}, "db/password": {"type": "SecureString"}},
    )
    services = {
        "api": web(3000, exec=True, secrets={"JWT": "secret:jwt-secret", "DB_PASSWORD": "ssm:db/password"}),
        "worker": service(kind="worker"),
    }
    groups = SecurityGroups(
        stack,
        "security_groups",
        name="acme-prod",
        vpc_id="vpc-123",
        config=config,
        services=services,
        database=True,
        cache=True,
    )
    WebAcl(stack, "waf", name="acme-prod", config=config.waf, alb_arn=ALB, log_kms_key_arn=KMS)
    app_secrets = AppSecrets(
        stack, "secrets", name="acme-prod", project="acme", environment="prod", config=config, kms_key_arn=KMS
    )
    for name, service_config in services.items():
        secret_arns, parameter_arns = app_secrets.arns_for(service_config)
        ServiceRoles(
            stack,
            f"{name}_roles",
            name="acme-prod",
            service_name=name,
            service=service_config,
            log_group_arn=LOG_GROUP,
            secret_arns=secret_arns,
            parameter_arns=parameter_arns,
            kms_key_arn=KMS,
            exec_log_group_arn=EXEC_LOG_GROUP,
        )
    assert groups.database_security_group_id is not None
    synth_and_validate(app, "module", tmp_path, terraform_env)


def test_waf_behind_cloudfront_counts_the_forwarded_client_ip() -> None:
    stack = TerraformStack(Testing.app(), "test")
    WebAcl(stack, "waf", name="acme-dev", config=WafConfig(), alb_arn=ALB, forwarded_ip=True)
    statement = only(synth_json(stack), "aws_wafv2_web_acl")["rule"][0]["statement"]["rate_based_statement"]
    assert statement["aggregate_key_type"] == "FORWARDED_IP"
    assert statement["forwarded_ip_config"] == {"header_name": "X-Forwarded-For", "fallback_behavior": "MATCH"}
    direct, _ = waf_json(WafConfig())
    plain = only(direct, "aws_wafv2_web_acl")["rule"][0]["statement"]["rate_based_statement"]
    assert plain["aggregate_key_type"] == "IP" and "forwarded_ip_config" not in plain


def test_cloudfront_scope_acl_in_us_east_1_without_association() -> None:
    stack = TerraformStack(Testing.app(), "test")
    east = AwsProvider(stack, "east", region="us-east-1", alias="us_east_1")
    WebAcl(stack, "waf", name="acme-dev-cdn", config=WafConfig(), alb_arn=None, scope_="CLOUDFRONT", provider=east)
    document = synth_json(stack)
    acl = only(document, "aws_wafv2_web_acl")
    assert (acl["scope"], acl["provider"]) == ("CLOUDFRONT", "aws.us_east_1")
    assert "aws_wafv2_web_acl_association" not in document["resource"]
    assert only(document, "aws_cloudwatch_log_group")["provider"] == "aws.us_east_1"
    assert only(document, "aws_wafv2_web_acl_logging_configuration")["provider"] == "aws.us_east_1"
