"""No IAM policy of any stack allows `*` or `<service>:*`, and `*` resources appear only where AWS needs them.

Covers every Allow statement of every policy document (the `aws_iam_policy_document` data sources behind role,
bucket, topic and queue policies, and JSON policies written inline) in every stack of the reference config and of
the five examples. Key policies are the exception for `*`: in a key policy the resource `*` means the key itself,
and `kms:*` for the account root is AWS's default key-policy statement that keeps the key manageable by IAM.
AWS managed policies attached by ARN (ReadOnlyAccess, PowerUserAccess for the Terraform roles) are listed in the
README's `[delivery]` row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_DIR

STAR_RESOURCE_NEEDED = {
    frozenset({"ecr:GetAuthorizationToken"}): "the registry login token is account-wide: no resource-level permission",
    frozenset({"cloudwatch:PutMetricData"}): "metrics have no ARN; every such statement carries a namespace condition",
    frozenset(
        {
            "ec2:AssignPrivateIpAddresses",
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:UnassignPrivateIpAddresses",
        }
    ): "a Lambda function in a VPC manages its ENIs; these EC2 actions take no resource-level permission",
    frozenset({"ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"}): (
        "task-definition registration and lookup take no resource-level permission"
    ),
    frozenset({"logs:DescribeLogGroups"}): "ECS Exec checks its log group's encryption; no resource-level permission",
    frozenset(
        {
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        }
    ): "ECS Exec session channels have no ARN",
}
"""Action sets that may name the resource `*`, each with the reason AWS leaves no narrower choice."""

EXAMPLES = sorted(path.parent.name for path in (PROJECT_DIR / "examples").glob("*/environments.toml"))
REFERENCE = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allow_statements(document: dict[str, Any]) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    """(where, is a key policy, statement) of every Allow statement in the stack's policies."""
    key_policies = {
        match[1]
        for key in document.get("resource", {}).get("aws_kms_key", {}).values()
        if isinstance(key.get("policy"), str) and (match := REFERENCE.match(key["policy"]))
    }
    for name, policy in document.get("data", {}).get("aws_iam_policy_document", {}).items():
        for statement in policy.get("statement", []):
            if statement.get("effect", "Allow") == "Allow":
                yield (
                    f"data.aws_iam_policy_document.{name}",
                    name in key_policies,
                    {
                        "actions": statement.get("actions", []),
                        "not_actions": statement.get("not_actions", []),
                        "resources": statement.get("resources", []),
                        "condition": statement.get("condition", []),
                    },
                )
    for kind, resources in document.get("resource", {}).items():
        for name, resource in resources.items():
            text = resource.get("policy")
            if not (isinstance(text, str) and text.lstrip().startswith("{")):
                continue
            for statement in as_list(json.loads(text).get("Statement", [])):
                if statement.get("Effect") == "Allow":
                    yield (
                        f"{kind}.{name}",
                        kind == "aws_kms_key",
                        {
                            "actions": as_list(statement.get("Action", [])),
                            "not_actions": as_list(statement.get("NotAction", [])),
                            "resources": as_list(statement.get("Resource", [])),
                            "condition": statement.get("Condition", []),
                        },
                    )


def problems(outdir: Path) -> list[str]:
    found = []
    for stack_file in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        stack = stack_file.parent.name
        for where, key_policy, statement in allow_statements(json.loads(stack_file.read_text())):
            actions = statement["actions"]
            if statement["not_actions"]:
                found.append(f"{stack} {where}: Allow with NotAction {statement['not_actions']}")
            broad = [action for action in actions if action == "*" or action.endswith(":*")]
            if broad and not (key_policy and broad == ["kms:*"]):
                found.append(f"{stack} {where}: allows {broad}")
            if "*" in statement["resources"] and not key_policy:
                needed = STAR_RESOURCE_NEEDED.get(frozenset(actions))
                if needed is None:
                    found.append(f"{stack} {where}: {sorted(actions)} on resource *")
                elif "cloudwatch:PutMetricData" in actions and "cloudwatch:namespace" not in json.dumps(
                    statement["condition"]
                ):
                    found.append(f"{stack} {where}: PutMetricData on * without a namespace condition")
    return found


def test_reference_stacks_allow_no_wildcard_action_and_star_only_where_aws_needs_it(synthesized: Path) -> None:
    assert problems(synthesized) == []


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_stacks_allow_no_wildcard_action_and_star_only_where_aws_needs_it(
    example: str, synthesized_file: Callable[[Path], Path]
) -> None:
    assert problems(synthesized_file(PROJECT_DIR / "examples" / example / "environments.toml")) == []


def test_the_check_finds_a_wildcard(tmp_path: Path) -> None:
    """The check itself: a broad action, an unlisted `*` resource and an unconditioned metric grant are found."""
    stack = tmp_path / "stacks" / "dev"
    stack.mkdir(parents=True)
    statements = [
        {"actions": ["s3:*"], "resources": ["arn:aws:s3:::b"]},
        {"actions": ["s3:GetObject"], "resources": ["*"]},
        {"actions": ["cloudwatch:PutMetricData"], "resources": ["*"]},
        {"actions": ["ecr:GetAuthorizationToken"], "resources": ["*"]},
        {"effect": "Deny", "actions": ["sqs:*"], "resources": ["*"]},
    ]
    document = {"data": {"aws_iam_policy_document": {"p": {"statement": statements}}}}
    (stack / "cdk.tf.json").write_text(json.dumps(document))
    assert problems(tmp_path) == [
        "dev data.aws_iam_policy_document.p: allows ['s3:*']",
        "dev data.aws_iam_policy_document.p: ['s3:GetObject'] on resource *",
        "dev data.aws_iam_policy_document.p: PutMetricData on * without a namespace condition",
    ]
