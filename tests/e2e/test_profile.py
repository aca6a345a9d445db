"""The emulator profile itself (no emulator): what it swaps and writes, and that it lets through only what it lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.profile import profile_override, service_linked_roles, swapped_addresses, untolerated

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


def test_a_listed_nested_difference_passes_only_when_everything_else_in_the_block_is_equal() -> None:
    behaviour = {"cache_policy_id": "p", "target_origin_id": "spa", "forwarded_values": [{"query_string": False}]}
    read_back = {**behaviour, "forwarded_values": []}
    assert (
        untolerated(
            [
                change(
                    "aws_cloudfront_distribution",
                    ["update"],
                    {"default_cache_behavior": [behaviour]},
                    {"default_cache_behavior": [read_back]},
                )
            ]
        )
        == []
    )
    changed = {**read_back, "target_origin_id": "alb"}
    assert untolerated(
        [
            change(
                "aws_cloudfront_distribution",
                ["update"],
                {"default_cache_behavior": [behaviour]},
                {"default_cache_behavior": [changed]},
            ),
            change(
                "aws_cloudfront_distribution",
                ["update"],
                {"default_cache_behavior": [behaviour]},
                {"default_cache_behavior": None},
                unknown={"default_cache_behavior": True},
            ),
        ]
    ) == [
        f"aws_cloudfront_distribution.x.default_cache_behavior: {[behaviour]!r} -> {[changed]!r}",
        f"aws_cloudfront_distribution.x.default_cache_behavior: {[behaviour]!r} -> (known after apply)",
    ]


def test_a_maintenance_window_touching_the_backup_window_moves_a_minute_later_on_the_emulator_only() -> None:
    document = {
        "resource": {
            "aws_db_instance": {
                "db": {"backup_window": "03:00-04:00", "maintenance_window": "sun:04:00-sun:05:00"},
                "referenced": {"maintenance_window": "${var.window}"},
            },
            "aws_rds_cluster_instance": {"member": {"preferred_maintenance_window": "mon:04:00-mon:05:00"}},
        }
    }
    override = profile_override("dev", document, {})
    assert override["resource"]["aws_db_instance"] == {"db": {"maintenance_window": "sun:04:01-sun:05:01"}}
    assert override["resource"]["aws_rds_cluster_instance"] == {
        "member": {"preferred_maintenance_window": "mon:04:01-mon:05:01"}
    }
    assert document["resource"]["aws_db_instance"]["db"]["maintenance_window"] == "sun:04:00-sun:05:00"
    assert "aws_db_instance" not in profile_override("dev", DOCUMENT, {"ap-northeast-1": "arn:imported"})["resource"]


BATCH_ROLE = "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"


def test_attributes_aws_fills_in_are_supplied_on_the_emulator_only() -> None:
    root = {"encrypted": True, "volume_type": "gp3"}
    document: dict[str, Any] = {
        "resource": {
            "aws_batch_compute_environment": {"batch": {"type": "MANAGED"}},
            "aws_instance": {"bastion": {"root_block_device": root}, "bare": {"instance_type": "t3.nano"}},
        }
    }
    override = profile_override("prod", document, {})
    assert override["resource"]["aws_batch_compute_environment"] == {"batch": {"service_role": BATCH_ROLE}}
    assert override["resource"]["aws_instance"] == {"bastion": {"root_block_device": {**root, "volume_size": 8}}}
    assert document["resource"]["aws_instance"]["bastion"]["root_block_device"] == root
    assert service_linked_roles(document) == {("batch.amazonaws.com", BATCH_ROLE)}
    assert service_linked_roles(DOCUMENT) == set()
    assert "aws_batch_compute_environment" not in profile_override("dev", DOCUMENT, {"ap-northeast-1": "a"})["resource"]


@pytest.mark.parametrize(
    "resource",
    [
        {"aws_batch_compute_environment": {"batch": {"service_role": "arn:aws:iam::123456789012:role/batch"}}},
        {"aws_instance": {"bastion": {"root_block_device": {"volume_size": 20}}}},
    ],
)
def test_a_supplied_attribute_the_stack_sets_itself_fails(resource: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match="is set: drop the profile entry"):
        profile_override("prod", {"resource": resource}, {})


def test_a_bucket_policy_is_swapped_outside_bootstrap_only_when_the_stack_puts_an_object_into_its_bucket() -> None:
    document: dict[str, Any] = {
        "resource": {
            "aws_s3_bucket_policy": {
                "code": {"bucket": "${aws_s3_bucket.code.id}"},
                "spa": {"bucket": "${aws_s3_bucket.spa.id}"},
            },
            "aws_s3_object": {"package": {"bucket": "${aws_s3_bucket.code.id}", "key": "bootstrap/items.zip"}},
        }
    }
    assert swapped_addresses("prod", document) == ["aws_s3_bucket_policy.code"]
    assert profile_override("prod", document, {})["resource"]["aws_s3_bucket_policy"] == {"code": {"count": 0}}
    assert swapped_addresses("bootstrap", document) == ["aws_s3_bucket_policy.code", "aws_s3_bucket_policy.spa"]


def test_a_re_serialized_json_text_passes_only_when_it_is_the_same_value() -> None:
    sent = '{"deadLetterTargetArn":"arn:aws:sqs:ap-northeast-1:123456789012:dlq","maxReceiveCount":5}'
    read_back = '{"deadLetterTargetArn": "arn:aws:sqs:ap-northeast-1:123456789012:dlq", "maxReceiveCount": 5}'
    same = change("aws_sqs_queue", ["update"], {"redrive_policy": read_back}, {"redrive_policy": sent})
    assert untolerated([same]) == []
    changed = sent.replace(":5", ":3")
    assert untolerated(
        [
            change("aws_sqs_queue", ["update"], {"redrive_policy": read_back}, {"redrive_policy": changed}),
            change("aws_sqs_queue", ["update"], {"redrive_policy": "not json"}, {"redrive_policy": sent}),
        ]
    ) == [
        f"aws_sqs_queue.x.redrive_policy: {read_back!r} -> {changed!r}",
        f"aws_sqs_queue.x.redrive_policy: 'not json' -> {sent!r}",
    ]
