"""Names and quotas AWS enforces at apply time, checked against the names the modules will generate.

Each check computes the real name (config/names.py) and says which key to change; they return problems as
(key path relative to the environment, message) like config/references.py. `check_project_names` reports the
problems the project name causes once for the whole file (the worst environment), not once per environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from config import names
from config.bastion import RESERVED_DOCUMENT_PREFIXES, session_document_name
from config.models import EnvironmentConfig, ProjectConfig

QUOTA_RULES_PER_SECURITY_GROUP = 60
"""Inbound (and, separately, outbound) rules per security group: AWS's default quota."""

CLOUDFRONT_PREFIX_LIST_WEIGHT = 55
"""Rules a reference to CloudFront's origin-facing prefix list counts as (its max entries)."""

TASK_DEFINITION_LIMIT = 64 * 1024
"""Bytes ECS accepts for a whole task definition (RegisterTaskDefinition request)."""

TASK_DEFINITION_OVERHEAD = 4 * 1024
"""Bytes kept for what the task definition holds besides the container (family, roles, sizes, tags, volumes)."""

PLACEHOLDER_ACCOUNT = "123456789012"
"""Account id used for length estimates when the environment does not pin one (every account id has 12 digits)."""

Problem = tuple[str, str]

MODULE_LABELS = {"security_groups": "security-group module", "compute": "ECS module"}
"""How messages name the modules whose construct ids are built from service names."""


def check_limits(project: ProjectConfig, environment: EnvironmentConfig) -> list[Problem]:
    """Every name or quota problem of one environment that is caused by its own keys (not the project name)."""
    prefix = names.prefix(project.name, environment.name)
    return [
        *_availability_zones(environment, prefix),
        *_service_names(environment, prefix),
        *_parameter_names(project, environment),
        *_security_group_rules(environment, prefix),
        *_task_definition_sizes(project, environment, prefix),
    ]


def check_project_names(project: ProjectConfig, environments: Sequence[EnvironmentConfig]) -> list[str]:
    """Problems of names that only the project name (with the environment name) determines, one per kind."""
    worst: dict[str, str] = {}
    # The longest prefix first, so each kind is reported with the environment where it is worst.
    for environment in sorted(environments, key=lambda env: -len(env.name)):
        prefix = names.prefix(project.name, environment.name)
        for kind, generated, limit, problem in _fixed_names(environment, prefix):
            if kind in worst or problem is None:
                continue
            advice = ""
            if len(generated) > limit:
                allowed = len(project.name) - (len(generated) - limit)
                advice = f"; shorten the project name to at most {allowed} characters"
            worst[kind] = (
                f"{project.name!r} gives the {kind} {generated!r} (in {environment.name}), which {problem}{advice}"
            )
    return list(worst.values())


def _fixed_names(environment: EnvironmentConfig, prefix: str) -> Iterator[tuple[str, str, int, str | None]]:
    """(kind, generated name, length limit, problem or None) of the names made of the prefix alone."""
    database = environment.database
    if database.enabled:
        identifiers = names.rds_identifiers(prefix, aurora=database.is_aurora, instance_count=database.instance_count)
        kinds = ("RDS cluster identifier", "RDS instance identifier") if database.is_aurora else ("RDS identifier",)
        # The cluster and the last (longest) instance identifier stand for all of them.
        for kind, identifier in zip(kinds, (identifiers[0], identifiers[-1]), strict=False):
            limit = names.RDS_IDENTIFIER_LIMIT
            yield kind, identifier, limit, names.identifier_problem(identifier, limit)
    if environment.cache.enabled:
        group = names.elasticache_replication_group_id(prefix)
        yield (
            "ElastiCache replication group id",
            group,
            names.ELASTICACHE_ID_LIMIT,
            names.identifier_problem(group, names.ELASTICACHE_ID_LIMIT),
        )
    for what, role in names.fixed_role_names(prefix).items():
        yield f"{what} IAM role", role, names.IAM_ROLE_LIMIT, _length_problem(role, names.IAM_ROLE_LIMIT, "IAM")
    repository = names.repository_name(prefix, "<service>")
    problem = names.repository_problem(names.repository_name(prefix, "service"))
    yield "ECR repository name", repository, 256, problem
    if environment.security.bastion and environment.bastion.session_logging:
        document = session_document_name(prefix)
        if document.lower().startswith(RESERVED_DOCUMENT_PREFIXES):
            yield "SSM session document", document, 128, "starts with aws, amazon or amzn, which SSM refuses"
    alb_group = names.security_group_name(prefix, "alb")
    if alb_group.startswith("sg-"):
        yield "security group name", alb_group, names.SECURITY_GROUP_NAME_LIMIT, "starts with 'sg-', which EC2 refuses"
    if environment.load_balancer is not None:
        alb = f"{prefix}-alb"
        if alb.startswith("internal-"):
            yield "load balancer name", alb, 32, "starts with 'internal-', which ELB refuses"
        if environment.load_balancer.access_logs.enabled:
            bucket = names.alb_logs_bucket_name(prefix, environment.account_id or PLACEHOLDER_ACCOUNT)
            problem = names.bucket_name_problem(bucket)
            yield "ALB access-log bucket", bucket, 63, problem.split(": ", 1)[-1] if problem else None


def _length_problem(name: str, limit: int, service: str) -> str | None:
    return f"is {len(name)} characters; {service} allows {limit}" if len(name) > limit else None


def _routed(environment: EnvironmentConfig) -> list[str]:
    if environment.load_balancer is None:
        return []
    return [name for name, service in environment.enabled_services.items() if service.kind == "web"]


def _availability_zones(environment: EnvironmentConfig, prefix: str) -> Iterator[Problem]:
    azs = environment.network.azs
    if len(azs) >= 2:
        return
    needs = []
    if _routed(environment):
        needs.append("the ALB (subnets in two AZs)")
    if environment.database.enabled:
        needs.append(f"the DB subnet group {prefix}-db (subnets in two AZs)")
    if environment.cache.enabled and environment.cache.failover:
        group = names.elasticache_replication_group_id(prefix)
        needs.append(f"Redis automatic failover of {group} (a replica in another AZ)")
    if needs:
        yield (
            "network.azs",
            f"{list(azs)} is one AZ, but {' and '.join(needs)} need at least two; add one, e.g. azs = ['a', 'c']",
        )


def _service_names(environment: EnvironmentConfig, prefix: str) -> Iterator[Problem]:
    services = environment.enabled_services
    reserved = {
        **{tier: f"the {tier} tier's" for tier in names.TIER_SECURITY_GROUPS},
        **dict.fromkeys(names.NETWORK_SECURITY_GROUPS, "the VPC endpoints'"),
    }
    owners: dict[str, dict[str, str]] = {module: {} for module in names.FIXED_CONSTRUCT_IDS}
    blue_green = {name for name, service in services.items() if service.deployment.strategy == "blue_green"}
    routed = set(_routed(environment))
    for name in services:
        path = f"services.{name}"
        if name in reserved:
            group = names.security_group_name(prefix, name)
            yield (
                path,
                (
                    f"its security group would be named {group!r}, which is {reserved[name]} security group; "
                    f"rename the service (reserved: {', '.join(sorted(reserved))})"
                ),
            )
            continue
        for module, ids in names.service_construct_ids(name).items():
            where = MODULE_LABELS[module]
            for construct_id in sorted(ids):
                if construct_id in names.FIXED_CONSTRUCT_IDS[module]:
                    yield (
                        path,
                        (
                            f"the {where} would give it the resource id '{construct_id}', which the module uses for "
                            "its own resources; rename the service"
                        ),
                    )
                    break
                other = owners[module].setdefault(construct_id, name)
                if other != name:
                    yield (
                        path,
                        (
                            f"the {where} would give it the resource id '{construct_id}', which service '{other}' "
                            "already has there (ids turn '-' into '_'); rename one of them"
                        ),
                    )
                    break
        if name.endswith("-green") and name[: -len("-green")] in blue_green and name in routed:
            base = name[: -len("-green")]
            yield (
                path,
                (
                    f"its target group would share the name of the green target group of '{base}', which deploys "
                    "blue/green; rename the service"
                ),
            )
        for kind, role in (
            ("execution role", names.execution_role_name(prefix, name)),
            ("task role", names.task_role_name(prefix, name)),
        ):
            if len(role) > names.IAM_ROLE_LIMIT:
                allowed = len(name) - (len(role) - names.IAM_ROLE_LIMIT)
                yield (
                    path,
                    (
                        f"its IAM {kind} {role!r} is {len(role)} characters; IAM allows {names.IAM_ROLE_LIMIT}: "
                        f"shorten the service name to at most {allowed} characters"
                    ),
                )
                break
    for index, key in enumerate(environment.registry.extra_repositories):
        yield from _repository(prefix, key, f"registry.extra_repositories[{index}]")
    for name in services:
        yield from _repository(prefix, name, f"services.{name}")


def _repository(prefix: str, key: str, path: str) -> Iterator[Problem]:
    repository = names.repository_name(prefix, key)
    problem = names.repository_problem(repository)
    # A problem the prefix alone causes is the project name's, reported once by check_project_names.
    if problem is not None and names.repository_problem(names.repository_name(prefix, "service")) is None:
        yield path, f"its ECR repository {repository!r} {problem}"


def _parameter_names(project: ProjectConfig, environment: EnvironmentConfig) -> Iterator[Problem]:
    security = environment.security
    prefix = names.parameter_prefix(project.name, environment.name, security.parameter_prefix)
    account = environment.account_id or PLACEHOLDER_ACCOUNT
    for key in security.parameters:
        parameter = names.parameter_name(prefix, key)
        levels = parameter.count("/")
        arn = f"arn:aws:ssm:{project.region}:{account}:parameter{parameter}"
        if levels > names.SSM_PARAMETER_LEVELS:
            yield (
                f"security.parameters.{key}",
                (
                    f"the parameter {parameter!r} has {levels} levels; SSM allows {names.SSM_PARAMETER_LEVELS} "
                    f"(the prefix {prefix!r} takes {prefix.count('/')})"
                ),
            )
        elif len(arn) > names.SSM_PARAMETER_NAME_LIMIT:
            yield (
                f"security.parameters.{key}",
                (
                    f"the parameter's ARN is {len(arn)} characters; SSM allows {names.SSM_PARAMETER_NAME_LIMIT} "
                    "including the ARN"
                ),
            )


def _security_group_rules(environment: EnvironmentConfig, prefix: str) -> Iterator[Problem]:
    """Count the rules modules/security/groups.py creates per group against the per-direction quota."""
    services = environment.enabled_services
    limit = QUOTA_RULES_PER_SECURITY_GROUP
    routed = [name for name, service in services.items() if service.kind == "web"]
    if len(routed) > limit:
        yield (
            "services",
            (
                f"{len(routed)} web services give the security group {prefix}-alb {len(routed)} outbound rules "
                f"(one per service port); AWS allows {limit} per direction"
            ),
        )
    bastion = 1 if environment.security.bastion else 0
    for tier, enabled in (("database", environment.database.enabled), ("cache", environment.cache.enabled)):
        if not enabled:
            continue
        reaching = [name for name, service in services.items() if service.reaches(tier)]  # type: ignore[arg-type]
        api = environment.api
        functions = [f for f in api.functions.values() if f.vpc and tier in f.data_access] if api.enabled else []
        batch = 1 if environment.batch.enabled and tier in environment.batch.data_access else 0
        count = len(reaching) + len(functions) + bastion + batch
        if count > limit:
            also = f" and {len(functions)} API functions" if functions else ""
            also += " and the Batch jobs" if batch else ""
            yield (
                "services",
                (
                    f"{len(reaching)} services{also} reach the {tier}, which gives the security group "
                    f"{prefix}-{tier} {count} inbound rules (one per service{' or function' if functions else ''}"
                    f"{' plus the bastion' if bastion else ''}{' plus Batch' if batch else ''}"
                    f"); AWS allows {limit} per direction: narrow data_access"
                ),
            )


def _task_definition_sizes(project: ProjectConfig, environment: EnvironmentConfig, prefix: str) -> Iterator[Problem]:
    for name in environment.enabled_services:
        size = estimate_container_bytes(project, environment, prefix, name) + TASK_DEFINITION_OVERHEAD
        if size > TASK_DEFINITION_LIMIT:
            yield (
                f"services.{name}.environment",
                (
                    f"the task definition of {prefix}-{name} would be about {size // 1024} KiB (environment, "
                    f"secrets and command); ECS accepts {TASK_DEFINITION_LIMIT // 1024} KiB: move large values "
                    "to parameters"
                ),
            )


def estimate_container_bytes(project: ProjectConfig, environment: EnvironmentConfig, prefix: str, name: str) -> int:
    """An upper estimate of the JSON size of a service's container definition, with ARNs at their real length."""
    service = environment.services[name]
    region, account = project.region, environment.account_id or PLACEHOLDER_ACCOUNT
    parameters = names.parameter_prefix(project.name, environment.name, environment.security.parameter_prefix)
    secrets_arn = f"arn:aws-us-gov:secretsmanager:{region}:{account}:secret:"

    def value_from(reference: str) -> str:
        kind, _, key = reference.partition(":")
        if kind == "secret":
            return f"{secrets_arn}{names.secret_name(prefix, key)}-AbCdEf"
        if kind == "ssm":
            return f"arn:aws-us-gov:ssm:{region}:{account}:parameter{names.parameter_name(parameters, key)}"
        if kind == "db":
            return f"{secrets_arn}rds!cluster-00000000-0000-0000-0000-000000000000-AbCdEf:{key}::"
        return f"{secrets_arn}{names.redis_auth_token_secret_name(prefix)}-AbCdEf"

    image = f"{account}.dkr.ecr.{region}.amazonaws.com/{names.repository_name(prefix, name)}:{service.image_tag}"
    container = {
        "name": name,
        "image": image,
        "essential": True,
        "readonlyRootFilesystem": service.readonly_root_filesystem,
        "command": list(service.command),
        "portMappings": [{"containerPort": 65535, "hostPort": 65535, "protocol": "tcp"}],
        "environment": [{"name": key, "value": value} for key, value in service.environment.items()],
        "secrets": [{"name": key, "valueFrom": value_from(ref)} for key, ref in service.secrets.items()],
        "healthCheck": {"command": ["CMD", *service.health_check_command], "interval": 300, "timeout": 60},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": f"/ecs/{prefix}/{name}",
                "awslogs-region": region,
                "awslogs-stream-prefix": name,
            },
        },
    }
    # json.dumps escapes non-ASCII; ECS counts the bytes of the request, which the ensure_ascii form bounds.
    return len(json.dumps([container]))
