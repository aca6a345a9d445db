"""Service trust policies: every role a service assumes is guarded against the confused deputy.

Checked on the composed environment stacks, so each role of each module (flow logs, RDS enhanced monitoring,
CodeDeploy, ECS execution and task roles, CloudTrail's log delivery) is covered wherever it is built.
"""

from __future__ import annotations

import re

from cdktf import TerraformStack, Testing

from config import PlatformConfig
from modules.iam import service_trust_policy
from stacks.platform import PlatformStack
from tests.conftest import Json, resources, synth_json


def token(kind: str, attribute: str) -> str:
    """A regex for a reference to a data source's attribute, e.g. `${data.aws_partition.x.partition}`."""
    return rf"\$\{{data\.aws_{kind}\.[A-Za-z0-9_]+\.{attribute}\}}"


PARTITION = token("partition", "partition")
REGION = token("region", "name")

SOURCE_ARNS = {
    "vpc-flow-logs.amazonaws.com": rf"arn:{PARTITION}:ec2:ap-northeast-1:{{account}}:vpc-flow-log/\*",
    # ECS services' roles name the region by a data source, Batch jobs' roles by the project's region
    "ecs-tasks.amazonaws.com": rf"arn:{PARTITION}:ecs:({REGION}|ap-northeast-1):{{account}}:\*",
    "codedeploy.amazonaws.com": rf"arn:{PARTITION}:codedeploy:ap-northeast-1:{{account}}:deploymentgroup:acme-prod/\*",
    "monitoring.rds.amazonaws.com": None,  # RDS documents no Enhanced Monitoring source ARN: account only
    "cloudtrail.amazonaws.com": rf"arn:{PARTITION}:cloudtrail:ap-northeast-1:{{account}}:trail/acme-(stg|prod)-trail",
    "lambda.amazonaws.com": None,  # Lambda documents no source ARN for execution roles: account only
}
"""The aws:SourceArn pattern each service documents (ArnLike), with `{account}` the SourceAccount token."""

UNGUARDED_SERVICES = {
    "ec2.amazonaws.com": "EC2 sets neither aws:SourceAccount nor aws:SourceArn when an instance assumes its role",
}
"""Service principals that pass no source keys (a condition on them would make the role unusable), and why."""

ACCOUNT = token("caller_identity", "account_id")
GITHUB_PROVIDER = rf"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token\.actions\.githubusercontent\.com"
"""The delivery roles trust this account's GitHub OIDC provider instead of a service."""


def trust_policies(document: Json) -> dict[str, Json]:
    """Each IAM role's trust-policy document (the data source its assume_role_policy points at), by role name."""
    documents = document["data"]["aws_iam_policy_document"]
    found = {}
    for role in resources(document, "aws_iam_role").values():
        match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json\}", role["assume_role_policy"])
        assert match, role["assume_role_policy"]
        found[role["name"]] = documents[match.group(1)]
    return found


def test_every_service_role_is_bound_to_this_account(reference_config: PlatformConfig) -> None:
    services_by_environment: dict[str, set[str]] = {}
    for name in reference_config.environment_names:
        app = Testing.app()
        stack = PlatformStack(
            app, name, project=reference_config.project, environment=reference_config.environment(name)
        )
        policies = trust_policies(synth_json(stack))
        assert policies, name
        services = services_by_environment.setdefault(name, set())
        for role, policy in policies.items():
            if role.endswith("-cognito-authenticated"):
                continue  # a web-identity role of the identity pool (tests/modules/test_identity.py)
            (statement,) = policy["statement"]
            (principal,) = statement["principals"]
            if principal["type"] == "Federated":
                assert statement["actions"] == ["sts:AssumeRoleWithWebIdentity"], role
                assert re.fullmatch(GITHUB_PROVIDER, principal["identifiers"][0]), role
                continue
            assert statement["actions"] == ["sts:AssumeRole"], role
            assert principal["type"] == "Service", role
            (service,) = principal["identifiers"]
            services.add(service)
            if service in UNGUARDED_SERVICES:
                assert "condition" not in statement, role
                continue
            conditions = {condition["variable"]: condition for condition in statement["condition"]}
            source_account = conditions.pop("aws:SourceAccount")
            assert source_account["test"] == "StringEquals", role
            (account,) = source_account["values"]
            assert re.fullmatch(token("caller_identity", "account_id"), account), role
            expected = SOURCE_ARNS[service]
            if expected is None:
                assert conditions == {}, role
                continue
            source_arn = conditions.pop("aws:SourceArn")
            assert conditions == {}, role
            assert source_arn["test"] == "ArnLike", role
            (arn,) = source_arn["values"]
            assert re.fullmatch(expected.replace("{account}", re.escape(account)), arn), (role, arn)
    assert services_by_environment["prod"] == set(SOURCE_ARNS) | set(UNGUARDED_SERVICES)  # prod has the bastion
    assert services_by_environment["dev"] == {"vpc-flow-logs.amazonaws.com", "ecs-tasks.amazonaws.com"}


def test_trust_policy_without_source_arn_has_the_account_only() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    service_trust_policy(stack, "trust", service="monitoring.rds.amazonaws.com", account_id="111111111111")
    (policy,) = synth_json(stack)["data"]["aws_iam_policy_document"].values()
    assert policy["statement"] == [
        {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["monitoring.rds.amazonaws.com"]}],
            "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111111111111"]}],
        }
    ]
