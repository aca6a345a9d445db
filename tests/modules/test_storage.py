"""AppBucket and Queue: CORS, lifecycle and protection of application buckets; dead-letter queues and SSE."""

from __future__ import annotations

from cdktf import TerraformStack, Testing

from config.storage import BucketConfig, LifecycleConfig, QueueConfig
from modules.storage import AppBucket, Queue
from tests.conftest import Json, only, resources, synth_json

KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/k"


def bucket_json(config: BucketConfig, *, protect: bool = False) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    AppBucket(stack, "uploads", bucket_name="acme-dev-uploads", config=config, kms_key_arn=KEY, protect=protect)
    return synth_json(stack)


def queue_json(config: QueueConfig) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    Queue(stack, "mailer", name="acme-stg", key="mailer", config=config, kms_key_arn=KEY)
    return synth_json(stack)


def test_bucket_is_kms_encrypted_versioned_and_tls_only() -> None:
    document = bucket_json(BucketConfig())
    (rule,) = only(document, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}
    assert only(document, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    (policy,) = document["data"]["aws_iam_policy_document"].values()
    assert {statement["sid"] for statement in policy["statement"]} == {
        "DenyInsecureTransport",
        "DenyOutdatedTls",
        "DenyNonKmsUploads",
    }
    assert only(document, "aws_s3_bucket")["bucket"] == "acme-dev-uploads"


def test_cors_only_for_the_given_origins() -> None:
    config = BucketConfig(cors_origins=("https://app.example.jp",), cors_methods=("GET", "PUT"))
    (rule,) = only(bucket_json(config), "aws_s3_bucket_cors_configuration")["cors_rule"]
    assert rule["allowed_origins"] == ["https://app.example.jp"]
    assert rule["allowed_methods"] == ["GET", "PUT"]
    assert rule["expose_headers"] == ["ETag"]
    assert rule["max_age_seconds"] == 3000


def test_no_cors_without_origins() -> None:
    assert not resources(bucket_json(BucketConfig()), "aws_s3_bucket_cors_configuration")


def test_lifecycle_moves_to_ia_then_expires() -> None:
    config = BucketConfig(lifecycle=LifecycleConfig(infrequent_access_after_days=180, expire_after_days=730))
    (rule,) = only(bucket_json(config), "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["transition"] == [{"days": 180, "storage_class": "STANDARD_IA"}]
    assert rule["expiration"] == [{"days": 730}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    assert rule["status"] == "Enabled" and rule["filter"] == [{"prefix": ""}]


def test_lifecycle_without_transition_or_expiry_keeps_objects() -> None:
    config = BucketConfig(lifecycle=LifecycleConfig(noncurrent_expire_after_days=None))
    (rule,) = only(bucket_json(config), "aws_s3_bucket_lifecycle_configuration")["rule"]
    assert "transition" not in rule and "expiration" not in rule and "noncurrent_version_expiration" not in rule
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]


def test_protected_bucket_cannot_be_destroyed() -> None:
    assert only(bucket_json(BucketConfig(), protect=True), "aws_s3_bucket")["lifecycle"] == {"prevent_destroy": True}
    bucket = only(bucket_json(BucketConfig(), protect=False), "aws_s3_bucket")
    assert "lifecycle" not in bucket and bucket["force_destroy"] is False


def queues(document: Json) -> dict[str, Json]:
    return {queue["name"]: queue for queue in resources(document, "aws_sqs_queue").values()}


def test_queue_with_dead_letter_queue_redrive_and_sse() -> None:
    document = queue_json(QueueConfig(visibility_timeout_seconds=120, max_receive_count=3))
    found = queues(document)
    assert set(found) == {"acme-stg-mailer", "acme-stg-mailer-dlq"}
    queue, dead_letter = found["acme-stg-mailer"], found["acme-stg-mailer-dlq"]
    for each in (queue, dead_letter):
        assert each["kms_master_key_id"] == KEY
        assert "fifo_queue" not in each
    assert queue["visibility_timeout_seconds"] == 120
    dlq_id = next(key for key, value in resources(document, "aws_sqs_queue").items() if value is dead_letter)
    assert queue["redrive_policy"] == (
        f'${{jsonencode({{"deadLetterTargetArn" = aws_sqs_queue.{dlq_id}.arn, "maxReceiveCount" = 3}})}}'
    )
    assert dead_letter["message_retention_seconds"] == 1209600
    allow = only(document, "aws_sqs_queue_redrive_allow_policy")
    assert allow["queue_url"] == f"${{aws_sqs_queue.{dlq_id}.url}}"
    assert '"redrivePermission" = "byQueue"' in allow["redrive_allow_policy"]


def test_fifo_queue_and_its_dead_letter_queue_are_fifo() -> None:
    found = queues(queue_json(QueueConfig(fifo=True)))
    assert set(found) == {"acme-stg-mailer.fifo", "acme-stg-mailer-dlq.fifo"}
    assert all(queue["fifo_queue"] is True for queue in found.values())


TLS_DENY = {
    "sid": "DenyInsecureTransport",
    "effect": "Deny",
    "actions": ["sqs:*"],
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
}


def test_queue_and_dead_letter_queue_each_deny_requests_without_tls_and_nothing_else() -> None:
    document = queue_json(QueueConfig())
    ids = {value["name"]: key for key, value in resources(document, "aws_sqs_queue").items()}
    policies = resources(document, "aws_sqs_queue_policy")
    assert sorted(policy["queue_url"] for policy in policies.values()) == sorted(
        f"${{aws_sqs_queue.{ids[name]}.url}}" for name in ("acme-stg-mailer", "acme-stg-mailer-dlq")
    )
    documents = document["data"]["aws_iam_policy_document"]
    for policy in policies.values():
        queue_id = policy["queue_url"].removeprefix("${aws_sqs_queue.").removesuffix(".url}")
        document_id = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
        (statement,) = documents[document_id]["statement"]
        assert statement == {**TLS_DENY, "resources": [f"${{aws_sqs_queue.{queue_id}.arn}}"]}


def test_fifo_queues_get_the_tls_only_policy_too() -> None:
    assert len(resources(queue_json(QueueConfig(fifo=True)), "aws_sqs_queue_policy")) == 2
