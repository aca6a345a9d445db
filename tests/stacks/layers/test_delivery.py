"""Delivery, maintenance and email layers: both sides of each toggle, one OIDC provider per account."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cdktf import TerraformStack, Testing

from config import PlatformConfig
from stacks.app import backend_groups, creates_github_oidc
from stacks.bootstrap import BootstrapStack
from stacks.layers.context import EnvironmentContext
from stacks.layers.email import email_layer
from stacks.platform import PlatformStack
from tests.conftest import Json, resources, synth_json

ROLE_NAMES = {"acme-{env}-github-deploy", "acme-{env}-terraform-plan", "acme-{env}-terraform-apply"}


def platform(config: PlatformConfig, name: str) -> Json:
    return synth_json(PlatformStack(Testing.app(), name, project=config.project, environment=config.environment(name)))


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> Json:
    return platform(reference_config, "prod")


@pytest.fixture(scope="module")
def dev(reference_config: PlatformConfig) -> Json:
    return platform(reference_config, "dev")


def role_names(document: Json) -> set[str]:
    return {role["name"] for role in resources(document, "aws_iam_role").values()}


def policy(document: Json, prefix: str) -> dict[str, Json]:
    (found,) = [p for key, p in document["data"]["aws_iam_policy_document"].items() if key.startswith(prefix)]
    return {statement["sid"]: statement for statement in found["statement"]}


def test_delivery_roles_exist_when_on_and_not_when_off(
    dev: Json, config_with: Callable[[Json], PlatformConfig]
) -> None:
    assert {name.format(env="dev") for name in ROLE_NAMES} <= role_names(dev)
    assert {"deploy_role_arn", "terraform_plan_role_arn", "terraform_apply_role_arn"} <= set(dev["output"])
    off = platform(config_with({"environments": {"dev": {"delivery": {"enabled": False}}}}), "dev")
    assert not {name.format(env="dev") for name in ROLE_NAMES} & role_names(off)
    assert "deploy_role_arn" not in off["output"]


def test_codedeploy_statements_only_with_blue_green(dev: Json, prod: Json) -> None:
    deploy = policy(prod, "delivery_deploy_policy")
    (group,) = deploy["CodeDeployDeployments"]["resources"]
    assert ":deploymentgroup:${aws_codedeploy_app." in group
    assert group.endswith(".deployment_group_name}")
    (application,) = deploy["CodeDeployRevisions"]["resources"]
    assert ":application:${aws_codedeploy_app." in application
    assert deploy["CodeDeployConfigs"]["resources"][0].endswith(":deploymentconfig:CodeDeployDefault.ECSAllAtOnce")
    assert not {"CodeDeployDeployments", "CodeDeployRevisions"} & set(policy(dev, "delivery_deploy_policy"))


def test_deploy_role_reaches_exactly_this_environments_services_and_roles(prod: Json) -> None:
    deploy = policy(prod, "delivery_deploy_policy")
    services = deploy["EcsServices"]["resources"]
    assert len(services) == 4 and all(":service/${aws_ecs_cluster.compute_cluster" in arn for arn in services)
    passed = deploy["PassTaskRoles"]["resources"]
    assert len(passed) == 8 and all(arn.startswith("${aws_iam_role.") for arn in passed)
    assert len(deploy["EcrPush"]["resources"]) == 4


def test_terraform_roles_least_privilege(prod: Json, reference_config: PlatformConfig) -> None:
    attachments = {
        (a["role"], a["policy_arn"].rsplit("/", 1)[1])
        for a in resources(prod, "aws_iam_role_policy_attachment").values()
    }
    plan_managed = {policy for role, policy in attachments if "terraform_plan" in role}
    apply_managed = {policy for role, policy in attachments if "terraform_apply" in role}
    assert plan_managed == {"ReadOnlyAccess"}
    assert apply_managed == {"PowerUserAccess", "IAMReadOnlyAccess"}
    plan = policy(prod, "delivery_terraform_plan_policy")
    apply = policy(prod, "delivery_terraform_apply_policy")
    for statements in (plan, apply):
        for sid, statement in statements.items():
            assert "*" not in statement["resources"], sid
            assert all("*" not in action for action in statement["actions"]), sid
    bucket = reference_config.backend.bucket
    assert plan["StateObjects"] == {
        "sid": "StateObjects",
        "actions": ["s3:GetObject"],
        "resources": [f"arn:${{data.aws_partition.partition.partition}}:s3:::{bucket}/acme/prod/*"],
    }
    assert apply["StateObjects"]["actions"] == ["s3:GetObject", "s3:PutObject"]
    assert plan["StateList"]["condition"][0]["values"] == ["acme/prod/*"]
    assert plan["StateLockTable"]["condition"][0]["values"] == [f"{bucket}/acme/prod/*"]
    assert plan["StateKey"]["actions"] == ["kms:Decrypt"]
    # plan reads the Redis AUTH token and refreshes secrets: this environment's secrets and CMK, nothing else
    secrets = (
        "arn:${data.aws_partition.partition.partition}:secretsmanager:ap-northeast-1:"
        "${data.aws_caller_identity.caller.account_id}"
    )
    assert plan["EnvironmentSecrets"]["resources"] == [
        f"{secrets}:secret:acme-prod/*",
        f"{secrets}:secret:acme-prod-redis-auth-token-??????",
    ]
    assert plan["EnvironmentKey"] == {
        "sid": "EnvironmentKey",
        "actions": ["kms:Decrypt"],
        "resources": ["${aws_kms_key.kms_key_28C05A0F.arn}"],
    }
    # ReadOnlyAccess and PowerUserAccess reach every object: the other environments' state is denied outright
    for statements in (plan, apply):
        deny = statements["OtherEnvironmentsState"]
        assert deny["effect"] == "Deny"
        assert deny["resources"] == [
            f"arn:${{data.aws_partition.partition.partition}}:s3:::{bucket}/acme/{other}/*" for other in ("dev", "stg")
        ]
        assert statements["OtherEnvironmentsLocks"]["condition"][0]["values"] == [
            f"{bucket}/acme/dev/*",
            f"{bucket}/acme/stg/*",
        ]
    assert apply["OwnRoles"]["resources"] == [
        "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.caller.account_id}:role/acme-prod-*",
        "arn:${data.aws_partition.partition.partition}:iam::${data.aws_caller_identity.caller.account_id}:instance-profile/acme-prod-*",
    ]


def test_lockfile_backend_lets_plan_take_the_lock(config_with: Callable[[Json], PlatformConfig]) -> None:
    document = platform(config_with({"backend": {"locking": "lockfile"}}), "dev")
    plan = policy(document, "delivery_terraform_plan_policy")
    assert "StateLockTable" not in plan
    assert plan["StateLockFile"]["resources"][0].endswith("/acme/dev/*.tflock")
    assert plan["StateKey"]["actions"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]


def test_environments_never_create_the_oidc_provider_the_bootstrap_stack_does_once(synthesized: Path) -> None:
    counts = {
        stack.name: len(
            json.loads((stack / "cdk.tf.json").read_text())
            .get("resource", {})
            .get("aws_iam_openid_connect_provider", {})
        )
        for stack in sorted((synthesized / "stacks").iterdir())
    }
    assert counts == {"bootstrap": 1, "dev": 0, "prod": 0, "stg": 0}


def test_bastion_only_with_security_bastion(dev: Json, prod: Json) -> None:
    assert "aws_instance" not in dev["resource"] and "bastion_instance_id" not in dev["output"]
    (instance,) = resources(prod, "aws_instance").values()
    assert instance["subnet_id"].startswith("${aws_subnet.network_private_")
    assert instance["vpc_security_group_ids"] == ["${aws_security_group.security_groups_bastion_C1CD16A6.id}"]
    assert "bastion_instance_id" in prod["output"]


def test_email_only_where_enabled_and_zone_looked_up_by_name(
    dev: Json, prod: Json, config_with: Callable[[Json], PlatformConfig]
) -> None:
    assert "aws_sesv2_email_identity" not in dev["resource"] and "ses_identity_arn" not in dev["output"]
    (identity,) = resources(prod, "aws_sesv2_email_identity").values()
    assert identity["email_identity"] == "acme.example"
    assert {"ses_identity_arn", "ses_sender", "ses_configuration_set_name"} <= set(prod["output"])
    assert prod["data"]["aws_route53_zone"]["email_zone"]["name"] == "acme.example"
    mail_records = [r for key, r in resources(prod, "aws_route53_record").items() if key.startswith("email")]
    assert len(mail_records) >= 3  # DKIM, MAIL FROM MX and SPF
    assert all(r["zone_id"] == "${data.aws_route53_zone.email_zone.zone_id}" for r in mail_records)


def test_email_layer_takes_a_zone_id_from_the_layer_that_owns_the_zone(reference_config: PlatformConfig) -> None:
    stack = TerraformStack(Testing.app(), "prod")
    env = EnvironmentContext(project=reference_config.project, config=reference_config.environment("prod"))
    outputs = email_layer(stack, env=env, zone_id="Z0EDGE")
    assert outputs is not None and outputs.sender == "no-reply@acme.example"
    document = synth_json(stack)
    assert "aws_route53_zone" not in document.get("data", {})
    assert {r["zone_id"] for r in resources(document, "aws_route53_record").values()} == {"Z0EDGE"}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({}, 1),
        ({"defaults": {"delivery": {"enabled": False}}}, 0),
        ({"defaults": {"delivery": {"oidc_provider": "existing"}}}, 0),
        (
            {
                "defaults": {"delivery": {"oidc_provider": "existing"}},
                "environments": {"prod": {"delivery": {"oidc_provider": "bootstrap"}}},
            },
            1,
        ),
    ],
)
def test_bootstrap_creates_the_provider_only_when_an_environment_asks(
    config_with: Callable[[Json], PlatformConfig], override: Json, expected: int
) -> None:
    config = config_with(override)
    (group,) = backend_groups(config)
    stack = BootstrapStack(
        Testing.app(),
        "bootstrap",
        project=config.project,
        backend=group.backend,
        environments=group.environments,
        state_file="terraform.bootstrap.tfstate",
        github_oidc=creates_github_oidc(config, group),
    )
    document = synth_json(stack)
    assert len(resources(document, "aws_iam_openid_connect_provider")) == expected
    assert ("github_oidc_provider_arn" in document["output"]) is bool(expected)


def test_configured_backend_and_provider_roles_may_be_assumed(config_with: Callable[[Json], PlatformConfig]) -> None:
    role = "arn:aws:iam::123456789012:role/state-access"
    document = platform(config_with({"backend": {"role_arn": role}}), "dev")
    assert policy(document, "delivery_terraform_plan_policy")["AssumeConfiguredRoles"]["resources"] == [role]
    assert "AssumeConfiguredRoles" not in policy(platform(config_with({}), "dev"), "delivery_terraform_plan_policy")
