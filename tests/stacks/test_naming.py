"""The naming scheme the README states, checked on every named resource of every environment stack."""

from __future__ import annotations

import json
import re
from pathlib import Path

from config import PlatformConfig
from tests.conftest import stack_names

NAME_ATTRIBUTES = (
    "name",
    "name_prefix",
    "identifier",
    "cluster_identifier",
    "replication_group_id",
    "family",
    "bucket",
    "deployment_group_name",
    "app_name",
)
"""Attributes that carry an AWS-visible name of the resource itself."""

EXEMPT = {
    ("aws_iam_role_policy", "name"): "inline policy names are local to their role",
    ("aws_db_parameter_group", "family"): "an engine family (aurora-postgresql16), not a name",
    ("aws_rds_cluster_parameter_group", "family"): "an engine family, not a name",
    ("aws_elasticache_parameter_group", "family"): "an engine family, not a name",
    (
        "aws_route53_record",
        "name",
    ): "a DNS name in the configured zone or email domain (config/edge.py, config/email.py check it)",
    ("aws_batch_job_queue", "name"): "seed 003's application submits to `{env}_default`",
    ("aws_batch_job_definition", "name"): "seed 003's application submits `{env}_<job>_job` definitions",
    ("aws_apigatewayv2_authorizer", "name"): "authorizer names are local to their API",
    ("aws_apigatewayv2_stage", "name"): "`$default` is the HTTP API's fixed name for its automatically deployed stage",
}


def naming_forms(project: str, environment: str) -> list[re.Pattern[str]]:
    """The forms the README lists: {p}-{e}[-component], secrets {p}-{e}/key, SSM /{p}/{e}/key,
    alias/{p}-{e}[-component], and log groups whose AWS-imposed prefix (/ecs/, /aws/<service>/, aws-waf-logs-)
    carries {p}-{e} (the CloudFront web ACL's with `-cdn`)."""
    p, e = re.escape(project), re.escape(environment)
    return [
        re.compile(rf"^{p}-{e}(-[a-z0-9-]+)?$"),
        re.compile(rf"^{p}-{e}/[A-Za-z0-9/_+=.@-]+$"),
        re.compile(rf"^/{p}/{e}/[A-Za-z0-9/_.-]+$"),
        re.compile(rf"^alias/{p}-{e}(-[a-z0-9-]+)?$"),
        re.compile(rf"^/ecs/{p}-{e}/[a-z0-9-]+$"),
        re.compile(rf"^/aws/[a-z0-9-]+(/[a-z]+)?/{p}-{e}(-[a-z0-9-]+)?(/[a-z0-9-]+)*$"),
        re.compile(rf"^aws-waf-logs-{p}-{e}(-cdn)?$"),
        re.compile(rf"^{p}-{e}-[a-z0-9-]+-\$\{{data\.aws_caller_identity\.[A-Za-z0-9_]+\.account_id\}}$"),
    ]


def test_every_named_resource_follows_the_documented_scheme(
    synthesized: Path, reference_config: PlatformConfig
) -> None:
    project = reference_config.project.name
    stray = []
    checked = 0
    for stack in stack_names(synthesized):
        if stack not in reference_config.environment_names:
            continue
        forms = naming_forms(project, stack)
        document = json.loads((synthesized / "stacks" / stack / "cdk.tf.json").read_text())
        for resource_type, items in document["resource"].items():
            for logical_id, resource in items.items():
                for attribute in NAME_ATTRIBUTES:
                    value = resource.get(attribute)
                    if not isinstance(value, str) or value.startswith("${") or (resource_type, attribute) in EXEMPT:
                        continue
                    checked += 1
                    if not any(form.match(value) for form in forms):
                        stray.append(f"{stack}: {resource_type}.{logical_id}.{attribute} = {value}")
    assert checked > 100
    assert not stray, "\n".join(stray)
