"""The AWS names the modules give their resources, computed from config alone, and the rules AWS applies to them.

`{project}-{env}` is the prefix of every name (`prefix`); each function below returns exactly what one module
writes into the JSON (tests/config/test_names.py compares both on the synthesized reference stacks), so the
config checks in config/limits.py can refuse, before synth, a name AWS would reject at apply time. This module
imports nothing from the rest of the config so that models may use its rules too.
"""

from __future__ import annotations

import ipaddress
import re

TIER_SECURITY_GROUPS = ("alb", "bastion", "batch", "database", "cache")
"""Security groups of the tiers (modules/security/groups.py), named `{prefix}-{tier}` like a service's group."""

NETWORK_SECURITY_GROUPS = ("vpc-endpoints",)
"""Security groups of the network module (the interface endpoints' group), named `{prefix}-{component}`."""

RDS_IDENTIFIER_LIMIT = 63
ELASTICACHE_ID_LIMIT = 40
IAM_ROLE_LIMIT = 64
SECURITY_GROUP_NAME_LIMIT = 255
SSM_PARAMETER_LEVELS = 15
SSM_PARAMETER_NAME_LIMIT = 1011
"""Characters of a parameter name (the full ARN may have 2048; AWS documents 1011 for the name itself)."""


def prefix(project: str, environment: str) -> str:
    """`{project}-{env}`: the first part of every resource name of an environment."""
    return f"{project}-{environment}"


def security_group_name(prefix_: str, component: str) -> str:
    """A tier's, a service's or the endpoints' security group."""
    return f"{prefix_}-{component}"


def rds_identifiers(prefix_: str, *, aurora: bool, instance_count: int) -> list[str]:
    """Cluster (Aurora) and instance identifiers of the database (modules/database)."""
    if aurora:
        return [f"{prefix_}-db", *(f"{prefix_}-db-{number}" for number in range(1, instance_count + 1))]
    return [f"{prefix_}-db"]


def elasticache_replication_group_id(prefix_: str) -> str:
    """Id of the Redis replication group (modules/cache)."""
    return f"{prefix_}-redis"


def redis_auth_token_secret_name(prefix_: str) -> str:
    """The Secrets Manager secret holding the Redis AUTH token (modules/cache)."""
    return f"{prefix_}-redis-auth-token"


def execution_role_name(prefix_: str, service: str) -> str:
    """The role ECS starts a service's tasks with (modules/security/roles.py)."""
    return f"{prefix_}-{service}-execution"


def task_role_name(prefix_: str, service: str) -> str:
    """The role a service's application runs as (modules/security/roles.py)."""
    return f"{prefix_}-{service}-task"


def cloudtrail_logs_role_name(prefix_: str) -> str:
    """The role CloudTrail writes the audit log group with (modules/audit)."""
    return f"{prefix_}-trail-logs"


def fixed_role_names(prefix_: str) -> dict[str, str]:
    """The roles that are not per service, by what creates them."""
    return {
        "CodeDeploy": f"{prefix_}-codedeploy",
        "VPC flow logs": f"{prefix_}-flow-logs",
        "RDS enhanced monitoring": f"{prefix_}-rds-monitoring",
        "CloudTrail logs": cloudtrail_logs_role_name(prefix_),
        "Bastion": f"{prefix_}-bastion",
        "GitHub Actions deploy": f"{prefix_}-github-deploy",
        "GitHub Actions terraform plan": f"{prefix_}-terraform-plan",
        "GitHub Actions terraform apply": f"{prefix_}-terraform-apply",
        "Cognito identity pool": cognito_authenticated_role_name(prefix_),
    }


def cognito_authenticated_role_name(prefix_: str) -> str:
    """The role signed-in users of the identity pool assume (modules/identity)."""
    return f"{prefix_}-cognito-authenticated"


def lambda_code_bucket_name(prefix_: str, account_id: str) -> str:
    """The bucket of the `[api]` functions' packages (modules/api), unique per account; at most 62 characters."""
    return f"{prefix_}-lambda-code-{account_id}"


def function_name(prefix_: str, key: str) -> str:
    """A Lambda function of `[api]` and its execution role (modules/api): `{project}-{env}-fn-<key>`."""
    return f"{prefix_}-fn-{key}"


def repository_name(prefix_: str, key: str) -> str:
    """An ECR repository of a service or of `registry.extra_repositories` (modules/registry)."""
    return f"{prefix_}-{key}"


def origin_secret_name(prefix_: str) -> str:
    """The Secrets Manager secret holding CloudFront's origin header value (modules/edge/origin_secret.py)."""
    return f"{prefix_}-cloudfront-origin"


def secret_name(prefix_: str, key: str) -> str:
    """An application secret of `[security.secrets]` (modules/security/secrets.py)."""
    return f"{prefix_}/{key}"


def parameter_prefix(project: str, environment: str, configured: str | None) -> str:
    """The path SSM parameters live under: `security.parameter_prefix`, by default `/{project}/{env}`.

    Two projects (or two environments) in one account never share the default, so their parameters cannot
    overwrite each other.
    """
    return configured if configured is not None else f"/{project}/{environment}"


def parameter_name(prefix_: str, key: str) -> str:
    """An SSM parameter of `[security.parameters]` under its prefix."""
    return f"{prefix_}/{key}"


def image_tag_path(project: str, environment: str) -> str:
    """Where CI writes each service's deployed image tag: `/{project}/{env}/image-tag/<service>` (SSM)."""
    return f"/{project}/{environment}/image-tag"


def alb_logs_bucket_name(prefix_: str, account_id: str) -> str:
    """The ALB access-log bucket (modules/load_balancer), unique per account."""
    return f"{prefix_}-alb-logs-{account_id}"


def resource_id(key: str) -> str:
    """A secret or parameter key as a construct id: lowercase, with '-' and '/' turned into '_'."""
    return key.lower().replace("-", "_").replace("/", "_")


def ident(service: str) -> str:
    """A service name as the modules use it inside construct ids (`-` becomes `_`)."""
    return service.replace("-", "_")


SECURITY_GROUP_IDS = ("{i}", "{i}_from_alb", "alb_to_{i}", "{i}_https")
"""Construct ids modules/security/groups.py gives each service (`{i}` is the service's ident)."""

SECURITY_GROUP_DATA_IDS = ("{tier}_from_{i}", "{i}_to_{tier}")
"""Construct ids of a service's rules to a data tier (database, cache)."""

SECURITY_GROUP_FIXED_IDS = (
    "alb",
    "alb_http",
    "alb_https",
    "alb_https_cloudfront",
    "alb_test_listener",
    "cloudfront",
    "bastion",
    "bastion_https",
    *(f"{tier}{suffix}" for tier in ("database", "cache") for suffix in ("", "_from_bastion")),
    "bastion_to_database",
    "bastion_to_cache",
    "batch",
    "batch_https",
    *(f"{tier}_from_batch" for tier in ("database", "cache")),
    "batch_to_database",
    "batch_to_cache",
    "functions",
)
"""Construct ids modules/security/groups.py uses for the tiers themselves (`functions` holds the Lambda groups)."""


def function_security_group_component(function: str) -> str:
    """The {component} of a Lambda function's security group name: `{project}-{env}-fn-<function>`."""
    return f"fn-{function}"


COMPUTE_IDS = (
    "{i}_logs",
    "{i}_task",
    "{i}_service",
    "{i}_scaling",
    "{i}_cpu_scaling",
    "{i}_memory_scaling",
    "{i}_requests_scaling",
    "{i}_custom_scaling",
    "{i}_deployment_group",
)
"""Construct ids modules/compute gives each service."""

COMPUTE_FIXED_IDS = (
    "exec_logs",
    "cluster",
    "capacity_providers",
    "codedeploy",
    "codedeploy_assume",
    "codedeploy_role",
    "codedeploy_ecs",
)
"""Construct ids modules/compute uses for the cluster and CodeDeploy."""


def service_construct_ids(service: str) -> dict[str, set[str]]:
    """Every construct id a service gets in each module whose ids are built from the service's ident."""
    i = ident(service)
    return {
        "security_groups": {
            *(template.format(i=i) for template in SECURITY_GROUP_IDS),
            *(template.format(i=i, tier=t) for template in SECURITY_GROUP_DATA_IDS for t in ("database", "cache")),
        },
        "compute": {template.format(i=i) for template in COMPUTE_IDS},
    }


FIXED_CONSTRUCT_IDS = {"security_groups": set(SECURITY_GROUP_FIXED_IDS), "compute": set(COMPUTE_FIXED_IDS)}
"""Per module, the construct ids that belong to no service."""


_RDS_STYLE = re.compile(r"^[a-z][a-z0-9-]*$")


def identifier_problem(name: str, limit: int) -> str | None:
    """Why RDS or ElastiCache would refuse `name` as an identifier, or None."""
    if len(name) > limit:
        return f"is {len(name)} characters; AWS allows {limit}"
    if not _RDS_STYLE.match(name):
        return "must start with a letter and hold only lowercase letters, digits and hyphens"
    if "--" in name:
        return "contains '--', which AWS refuses in identifiers"
    if name.endswith("-"):
        return "ends with '-', which AWS refuses in identifiers"
    return None


_ECR = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def repository_problem(name: str) -> str | None:
    """Why ECR would refuse `name` as a repository name, or None."""
    if len(name) > 256:
        return f"is {len(name)} characters; ECR allows 256"
    if not _ECR.match(name):
        return "is not an ECR repository name (no '--', no trailing '-', lowercase letters, digits, '.', '_', '-')"
    return None


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 would refuse `name` as a general purpose bucket name, or None (S3's bucket naming rules)."""
    if not _BUCKET.match(name):
        return (
            f"{name!r} is not an S3 bucket name: 3-63 characters of lowercase letters, digits, '.' and '-', "
            "starting and ending with a letter or digit"
        )
    for bad in ("..", ".-", "-."):
        if bad in name:
            return f"{name!r} is not an S3 bucket name: it contains {bad!r}"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return f"{name!r} is not an S3 bucket name: it is formatted as an IP address"
    for start in _BUCKET_PREFIXES:
        if name.startswith(start):
            return f"{name!r} is not an S3 bucket name: the prefix {start!r} is reserved"
    for end in _BUCKET_SUFFIXES:
        if name.endswith(end):
            return f"{name!r} is not an S3 bucket name: the suffix {end!r} is reserved"
    return None
