"""config/names.py predicts what the modules write: compared with the synthesized reference stacks.

The config checks (config/limits.py) judge the names config/names.py computes; if a module changed how it
names a resource or builds a construct id without config/names.py following, these tests fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import PlatformConfig, names
from config.batch import batch_role_names
from config.edge import fronted_by_cloudfront
from tests.conftest import Json, resources


def stack(synthesized: Path, environment: str) -> Json:
    document: Json = json.loads((synthesized / "stacks" / environment / "cdk.tf.json").read_text())
    return document


def values(document: Json, resource_type: str, attribute: str) -> set[str]:
    return {resource[attribute] for resource in resources(document, resource_type).values()}


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_generated_names_match_the_stack(synthesized: Path, reference_config: PlatformConfig, environment: str) -> None:
    document = stack(synthesized, environment)
    config = reference_config.environment(environment)
    project = reference_config.project.name
    prefix = names.prefix(project, environment)
    services = list(config.enabled_services)

    identifiers = names.rds_identifiers(prefix, aurora=True, instance_count=config.database.instance_count)
    assert values(document, "aws_rds_cluster", "cluster_identifier") == {identifiers[0]}
    assert values(document, "aws_rds_cluster_instance", "identifier") == set(identifiers[1:])
    assert values(document, "aws_elasticache_replication_group", "replication_group_id") == {
        names.elasticache_replication_group_id(prefix)
    }
    roles = values(document, "aws_iam_role", "name")
    jobs = config.batch.jobs if config.batch.enabled else {}
    batch_roles = {role for key in jobs for role in batch_role_names(prefix, key)}
    assert batch_roles <= roles and (batch_roles != set()) == (environment == "prod")  # dev runs no Batch
    roles -= batch_roles
    for service in services:
        assert {names.execution_role_name(prefix, service), names.task_role_name(prefix, service)} <= roles
    functions = {names.function_name(prefix, key) for key in config.api.functions} if config.api.enabled else set()
    assert values(document, "aws_lambda_function", "function_name") == functions
    assert functions <= roles
    assert roles - functions - {
        role for s in services for role in (f"{prefix}-{s}-execution", f"{prefix}-{s}-task")
    } <= set(names.fixed_role_names(prefix).values())
    assert values(document, "aws_ecr_repository", "name") == {names.repository_name(prefix, s) for s in services}
    vpc_functions = [key for key, f in config.api.functions.items() if f.vpc] if config.api.enabled else []
    tiers = ["alb", "database", "cache", *(["bastion"] if config.security.bastion else [])]
    components = [*services, *tiers]
    components += [names.function_security_group_component(key) for key in vpc_functions]
    groups = {names.security_group_name(prefix, component) for component in components}
    groups.add(names.security_group_name(prefix, names.NETWORK_SECURITY_GROUPS[0]))
    if config.batch.enabled:
        groups.add(names.security_group_name(prefix, "batch"))
    assert values(document, "aws_security_group", "name") == groups
    assert values(document, "aws_secretsmanager_secret", "name") == {
        *(names.secret_name(prefix, key) for key in config.security.secrets),
        names.redis_auth_token_secret_name(prefix),
        *([names.origin_secret_name(prefix)] if fronted_by_cloudfront(config) else []),
    }
    parameter_prefix = names.parameter_prefix(project, environment, config.security.parameter_prefix)
    assert parameter_prefix == f"/{project}/{environment}"
    tagged = [s for s in services if config.services[s].image_tag is None]
    assert values(document, "aws_ssm_parameter", "name") == {
        *(names.parameter_name(parameter_prefix, key) for key in config.security.parameters),
        *(f"{names.image_tag_path(project, environment)}/{service}" for service in tagged),
    }


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_construct_ids_are_the_predicted_ones(
    synthesized: Path, reference_config: PlatformConfig, environment: str
) -> None:
    """Every construct id in the security-group and compute modules is one config/names.py knows of."""
    document = stack(synthesized, environment)
    services = reference_config.environment(environment).enabled_services
    found: dict[str, set[str]] = {"security_groups": set(), "compute": set()}
    for blocks in (document.get("resource", {}), document.get("data", {})):
        for typed in blocks.values():
            for resource in typed.values():
                path = resource["//"]["metadata"]["path"].split("/")
                if len(path) == 3 and path[1] in found:
                    found[path[1]].add(path[2])
    for module, ids in found.items():
        predicted = set(names.FIXED_CONSTRUCT_IDS[module])
        for service in services:
            predicted |= names.service_construct_ids(service)[module]
        assert ids <= predicted, f"{module}: ids config/names.py does not know: {sorted(ids - predicted)}"
        assert ids, module
