"""The emulator profile itself (no emulator): what it swaps and writes, and that it lets through only what it lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.profile import profile_override, untolerated

CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"
DOCUMENT: dict[str, Any] = {
    "resource": {
        "aws_elasticache_parameter_group": {"params": {"name": "acme-dev-redis7"}},
        "aws_elasticache_replication_group": {
            "redis": {"parameter_group_name": "${aws_elasticache_parameter_group.params.name}"}
        },
        "aws_ecs_task_definition": {
            "api": {"container_definitions": '[{"value": "${aws_elasticache_replication_group.redis.id}-001"}]'}
        },
        "aws_lb_listener": {"https": {"certificate_arn": CERTIFICATE, "port": 443}},
    },
    "data": {
        "aws_iam_policy_document": {
            "deploy": {"statement": [{"resources": ["arn:group/${aws_elasticache_replication_group.redis.id}"]}]}
        }
    },
    "output": {"redis": {"value": "${aws_elasticache_replication_group.redis.primary_endpoint_address}"}},
}


def test_swaps_are_left_out_and_their_references_get_stand_ins() -> None:
    override = profile_override("dev", DOCUMENT, {"ap-northeast-1": "arn:imported"})
    assert override["resource"]["aws_elasticache_parameter_group"]["params"] == {"count": 0}
    assert override["resource"]["aws_elasticache_replication_group"]["redis"] == {
        "count": 0,
        "parameter_group_name": '${"default.redis7"}',
    }
    assert override["resource"]["aws_ecs_task_definition"]["api"] == {
        "container_definitions": '[{"value": "${"emulator-redis"}-001"}]'
    }
    assert override["output"] == {"redis": {"value": '${"redis.emulator.invalid"}'}}
    assert override["data"]["aws_iam_policy_document"]["deploy"] == {
        "statement": [{"resources": ['arn:group/${"emulator-redis"}']}]
    }
    assert override["resource"]["aws_lb_listener"]["https"] == {"certificate_arn": "arn:imported"}
    assert "aws_s3_bucket_policy" not in override["resource"]  # swapped in bootstrap only


def test_a_reference_without_a_stand_in_or_a_missing_certificate_fails() -> None:
    document = {
        "resource": {
            **DOCUMENT["resource"],
            "aws_ssm_parameter": {"p": {"value": "${aws_elasticache_replication_group.redis.arn}"}},
        }
    }
    with pytest.raises(AssertionError, match=r"aws_ssm_parameter.p.value refers to .*redis.arn"):
        profile_override("dev", document, {"ap-northeast-1": "arn:imported"})
    with pytest.raises(AssertionError, match="no certificate imported into the emulator for ap-northeast-1"):
        profile_override("dev", DOCUMENT, {})


def change(resource_type: str, actions: list[str], before: Any, after: Any, **extra: Any) -> dict[str, Any]:
    body = {"actions": actions, "before": before, "after": after, "after_unknown": extra.pop("unknown", {}), **extra}
    return {"address": f"{resource_type}.x", "type": resource_type, "change": body}


def test_only_listed_re_plan_differences_pass() -> None:
    tolerated = [
        change(
            "aws_rds_cluster",
            ["update"],
            {"scaling_configuration": [], "a": 1},
            {"scaling_configuration": [{}], "a": 1},
        ),
        change("aws_ecs_service", ["delete", "create"], {}, {}, replace_paths=[["capacity_provider_strategy"]]),
        change("aws_iam_role_policy", ["update"], {"policy": "{}"}, {"policy": None}, unknown={"policy": True}),
        change("aws_vpc", ["no-op"], {"a": 1}, {"a": 1}),
    ]
    assert untolerated(tolerated) == []
    assert untolerated(
        [
            change("aws_rds_cluster", ["update"], {"engine_version": "16.4"}, {"engine_version": "16.6"}),
            change("aws_ecs_service", ["delete", "create"], {}, {}, replace_paths=[["name"]]),
            change("aws_iam_role_policy", ["update"], {"policy": "{}"}, {"policy": '{"a": 1}'}),
            change("aws_vpc", ["delete"], {"a": 1}, None),
            change("aws_vpc", ["create"], None, {"a": 1}),
        ]
    ) == [
        "aws_rds_cluster.x.engine_version: '16.4' -> '16.6'",
        "aws_ecs_service.x: replaced because of ['name']",
        "aws_iam_role_policy.x.policy: '{}' -> '{\"a\": 1}'",
        "aws_vpc.x: delete",
        "aws_vpc.x: create",
    ]
