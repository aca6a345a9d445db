"""The bootstrap stack: a hardened state bucket and lock table, in local state, protected from destroy."""

from __future__ import annotations

import json
from collections.abc import Callable

from cdktf import Testing
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA

from config import BackendConfig, PlatformConfig
from stacks.bootstrap import BootstrapStack
from tests.conftest import Json, only, resources


def bootstrap_json(config: PlatformConfig, backend: BackendConfig | None = None) -> tuple[str, Json]:
    app = Testing.app()
    stack = BootstrapStack(
        app,
        "bootstrap",
        project=config.project,
        backend=backend or config.backend,
        environments=config.environment_names,
        state_file="../../../terraform.bootstrap.tfstate",
    )
    synthesized = Testing.synth(stack)
    return synthesized, json.loads(synthesized)


def test_bootstrap_keeps_local_state_outside_the_output(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    assert document["terraform"]["backend"] == {"local": {"path": "../../../terraform.bootstrap.tfstate"}}


def test_state_bucket_is_versioned_private_and_protected(reference_config: PlatformConfig) -> None:
    synthesized, document = bootstrap_json(reference_config)
    bucket = only(document, "aws_s3_bucket")
    assert bucket["bucket"] == "acme-terraform-state-apne1"
    assert bucket["lifecycle"] == {"prevent_destroy": True} and bucket["force_destroy"] is False
    assert Testing.to_have_resource_with_properties(
        synthesized, S3BucketVersioningA.TF_RESOURCE_TYPE, {"versioning_configuration": {"status": "Enabled"}}
    )
    assert Testing.to_have_resource_with_properties(
        synthesized,
        S3BucketPublicAccessBlock.TF_RESOURCE_TYPE,
        {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
    )
    assert only(document, "aws_s3_bucket_ownership_controls")["rule"]["object_ownership"] == "BucketOwnerEnforced"


def test_state_bucket_encrypted_with_rotating_cmk(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    (rule,) = only(document, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"].startswith("${aws_kms_key.")
    assert rule["bucket_key_enabled"] is True
    assert only(document, "aws_kms_key")["enable_key_rotation"] is True


def test_state_bucket_denies_plain_http_and_old_tls(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    policies = document["data"]["aws_iam_policy_document"]
    tls = next(policy for name, policy in policies.items() if name.startswith("state_policy_document"))
    conditions = {s["sid"]: (s["effect"], s["condition"][0]) for s in tls["statement"]}
    assert conditions["DenyInsecureTransport"] == (
        "Deny",
        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]},
    )
    assert conditions["DenyOutdatedTls"][1]["variable"] == "s3:TlsVersion"
    assert only(document, "aws_s3_bucket_policy")["policy"].endswith(".json}")


def test_noncurrent_state_versions_expire(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    (rule,) = only(document, "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]


def test_lock_table_hardening(reference_config: PlatformConfig) -> None:
    synthesized, document = bootstrap_json(reference_config)
    assert Testing.to_have_resource_with_properties(
        synthesized,
        DynamodbTable.TF_RESOURCE_TYPE,
        {
            "name": "acme-terraform-locks",
            "billing_mode": "PAY_PER_REQUEST",
            "hash_key": "LockID",
            "attribute": [{"name": "LockID", "type": "S"}],
            "point_in_time_recovery": {"enabled": True},
            "deletion_protection_enabled": True,
            "lifecycle": {"prevent_destroy": True},
        },
    )
    assert only(document, "aws_dynamodb_table")["server_side_encryption"]["enabled"] is True


def test_lockfile_only_backend_needs_no_table(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"backend": {"locking": "lockfile"}})
    _, document = bootstrap_json(config)
    assert resources(document, "aws_dynamodb_table") == {}
    assert "lock_table_name" not in document["output"]


def test_state_key_alias_is_what_the_environments_write_with(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    alias = only(document, "aws_kms_alias")
    assert alias["name"] == "alias/acme-terraform-state-apne1-state" == reference_config.backend.state_key_alias
    assert alias["target_key_id"].startswith("${aws_kms_key.")
    assert document["output"]["kms_key_alias"]["value"] == "alias/acme-terraform-state-apne1-state"


def test_state_bucket_refuses_uploads_without_kms(reference_config: PlatformConfig) -> None:
    _, document = bootstrap_json(reference_config)
    policies = document["data"]["aws_iam_policy_document"]
    policy = next(policy for name, policy in policies.items() if name.startswith("state_policy_document"))
    (deny,) = [s for s in policy["statement"] if s["sid"] == "DenyNonKmsUploads"]
    assert deny["effect"] == "Deny" and deny["actions"] == ["s3:PutObject"]
    (resource,) = deny["resources"]
    assert resource.startswith("${aws_s3_bucket.") and resource.endswith(".arn}/*")
    assert deny["condition"] == [
        {"test": "StringNotEqualsIfExists", "variable": "s3:x-amz-server-side-encryption", "values": ["aws:kms"]}
    ]


def test_bootstrap_pinned_to_the_backend_account_when_known(
    reference_config: PlatformConfig, config_with: Callable[[Json], PlatformConfig]
) -> None:
    (provider,) = bootstrap_json(reference_config)[1]["provider"]["aws"]
    assert "allowed_account_ids" not in provider
    config = config_with({"backend": {"role_arn": "arn:aws:iam::222222222222:role/terraform-state"}})
    (provider,) = bootstrap_json(config)[1]["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["222222222222"]
    assert provider["assume_role"][0]["role_arn"] == "arn:aws:iam::222222222222:role/terraform-state"


def test_bucket_with_dots_gets_a_valid_kms_alias(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"backend": {"bucket": "state.acme.example"}})
    _, document = bootstrap_json(config)
    assert only(document, "aws_kms_alias")["name"] == "alias/state-acme-example-state"
