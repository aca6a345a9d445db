"""The audit module: a multi-region, validated CloudTrail trail to a protected bucket and to CloudWatch Logs."""

from __future__ import annotations

import json
from pathlib import Path

from cdktf import TerraformStack, Testing

from config.monitoring import AuditConfig, ObjectLockConfig
from modules.audit import AuditTrail
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

ACCOUNT = "111122223333"
TRAIL_ARN = f"arn:aws:cloudtrail:ap-northeast-1:{ACCOUNT}:trail/acme-prod-trail"
CONFIG = AuditConfig(enabled=True, bucket_retention_days=1827, log_retention_days=365)


def audit_json(config: AuditConfig = CONFIG, *, protected: bool = False) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    AuditTrail(
        stack,
        "audit",
        name="acme-prod",
        config=config,
        account_id=ACCOUNT,
        partition="aws",
        region="ap-northeast-1",
        protected=protected,
    )
    return synth_json(stack)


def policy(document: Json, logical_id_prefix: str) -> list[Json]:
    documents = document["data"]["aws_iam_policy_document"]
    (found,) = (p for key, p in documents.items() if key.rsplit("_", 1)[0] == logical_id_prefix)
    return list(found["statement"])


def by_sid(statements: list[Json], sid: str) -> Json:
    (found,) = (s for s in statements if s.get("sid") == sid)
    return found


def test_trail_is_multi_region_validated_encrypted_and_logs_to_cloudwatch() -> None:
    document = audit_json()
    trail = only(document, "aws_cloudtrail")
    assert trail["name"] == "acme-prod-trail"
    assert trail["is_multi_region_trail"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["include_global_service_events"] is True
    assert trail["kms_key_id"].startswith("${aws_kms_key.audit_kms_key")
    assert trail["s3_bucket_name"].startswith("${aws_s3_bucket.audit_bucket_")
    assert trail["cloud_watch_logs_group_arn"].startswith("${aws_cloudwatch_log_group.audit_log_group")
    assert trail["cloud_watch_logs_group_arn"].endswith(".arn}:*")
    assert any(d.startswith("aws_s3_bucket_policy.audit_bucket_policy") for d in trail["depends_on"])
    log_group = only(document, "aws_cloudwatch_log_group")
    assert (log_group["name"], log_group["retention_in_days"]) == ("/aws/cloudtrail/acme-prod", 365)
    assert log_group["kms_key_id"] == trail["kms_key_id"]


def test_bucket_is_encrypted_tls_only_and_writable_by_this_trail_only() -> None:
    document = audit_json()
    bucket = only(document, "aws_s3_bucket")
    assert bucket["bucket"] == f"acme-prod-audit-{ACCOUNT}"
    assert bucket["force_destroy"] is False
    encryption = only(document, "aws_s3_bucket_server_side_encryption_configuration")
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    statements = policy(document, "audit_bucket_policy_document")
    assert {s["sid"] for s in statements} >= {"DenyInsecureTransport", "DenyOutdatedTls", "DenyNonKmsUploads"}
    acl = by_sid(statements, "CloudTrailReadsAcl")
    write = by_sid(statements, "CloudTrailWritesLogs")
    assert acl["actions"] == ["s3:GetBucketAcl"] and acl["resources"][0].endswith(".arn}")
    assert write["actions"] == ["s3:PutObject"]
    assert write["resources"][0].endswith(f".arn}}/AWSLogs/{ACCOUNT}/*")
    for grant in (acl, write):
        assert grant["principals"] == [{"identifiers": ["cloudtrail.amazonaws.com"], "type": "Service"}]
        assert grant["condition"] == [{"test": "StringEquals", "values": [TRAIL_ARN], "variable": "aws:SourceArn"}]


def test_bucket_expires_log_files_after_the_configured_retention() -> None:
    lifecycle = only(audit_json(), "aws_s3_bucket_lifecycle_configuration")
    (rule,) = lifecycle["rule"]
    assert rule["expiration"] == [{"days": 1827}]
    shorter = only(
        audit_json(CONFIG.model_copy(update={"bucket_retention_days": 400})), "aws_s3_bucket_lifecycle_configuration"
    )
    assert shorter["rule"][0]["expiration"] == [{"days": 400}]


def test_object_lock_only_when_configured() -> None:
    document = audit_json()
    assert "object_lock_enabled" not in only(document, "aws_s3_bucket")
    assert resources(document, "aws_s3_bucket_object_lock_configuration") == {}
    locked = audit_json(CONFIG.model_copy(update={"object_lock": ObjectLockConfig(mode="COMPLIANCE", days=365)}))
    assert "object_lock_enabled" not in only(locked, "aws_s3_bucket")  # turning it on later must not replace it
    lock = only(locked, "aws_s3_bucket_object_lock_configuration")
    assert lock["depends_on"][0].startswith("aws_s3_bucket_versioning.")
    assert lock["rule"] == {"default_retention": {"days": 365, "mode": "COMPLIANCE"}}


def test_protected_keeps_bucket_and_key_from_destroy() -> None:
    document = audit_json(protected=True)
    assert only(document, "aws_s3_bucket")["lifecycle"] == {"prevent_destroy": True}
    assert only(document, "aws_kms_key")["lifecycle"]["prevent_destroy"] is True
    unprotected = audit_json()
    assert "lifecycle" not in only(unprotected, "aws_s3_bucket")
    assert not only(unprotected, "aws_kms_key").get("lifecycle", {}).get("prevent_destroy")


def test_key_lets_cloudtrail_encrypt_for_this_trail_only() -> None:
    statements = policy(audit_json(), "audit_kms_policy")
    encrypt = by_sid(statements, "CloudTrailEncryptsLogs")
    assert encrypt["actions"] == ["kms:GenerateDataKey*"]
    assert {(c["variable"], tuple(c["values"])) for c in encrypt["condition"]} == {
        ("aws:SourceArn", (TRAIL_ARN,)),
        ("kms:EncryptionContext:aws:cloudtrail:arn", (f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*",)),
    }
    describe = by_sid(statements, "CloudTrailDescribesKey")
    assert describe["actions"] == ["kms:DescribeKey"]
    assert describe["condition"][0]["values"] == [TRAIL_ARN]


def test_logs_role_writes_only_the_trails_log_streams() -> None:
    document = audit_json()
    (statement,) = policy(document, "audit_logs_policy")
    assert statement["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    (resource,) = statement["resources"]
    assert resource.startswith("${aws_cloudwatch_log_group.audit_log_group") and resource.endswith(":log-stream:*")
    (trust,) = policy(document, "audit_logs_trust")
    assert trust["principals"] == [{"identifiers": ["cloudtrail.amazonaws.com"], "type": "Service"}]
    assert {(c["variable"], tuple(c["values"])) for c in trust["condition"]} == {
        ("aws:SourceAccount", (ACCOUNT,)),
        ("aws:SourceArn", (TRAIL_ARN,)),
    }
    role_policy = only(document, "aws_iam_role_policy")
    assert role_policy["policy"].startswith("${data.aws_iam_policy_document.audit_logs_policy")


def test_no_wildcard_action_or_resource_outside_key_policies() -> None:
    document = audit_json()
    for key, found in document["data"]["aws_iam_policy_document"].items():
        for statement in found["statement"]:
            assert not any(action.endswith(":*") or action == "*" for action in statement["actions"]) or (
                key.startswith("audit_kms_policy") or statement.get("effect") == "Deny"
            ), (key, statement)
            if not key.startswith("audit_kms_policy"):
                assert "*" not in statement.get("resources", []), (key, statement)
    assert json.dumps(document).count('"kms:*"') == 1  # the key policy's root statement, as for every CMK


def test_audit_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    AuditTrail(
        stack,
        "audit",
        name="acme-prod",
        config=CONFIG.model_copy(update={"object_lock": ObjectLockConfig(days=365)}),
        account_id=ACCOUNT,
        partition="aws",
        region="ap-northeast-1",
        protected=True,
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)
