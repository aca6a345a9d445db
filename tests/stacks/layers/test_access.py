"""Pure planning of bucket and queue access: exactly the actions of each mode, on exact ARNs, and the variables."""

from __future__ import annotations

from modules.iam import PolicyGrant
from stacks.layers.access import resolve_access
from stacks.layers.storage import StorageOutputs

STORAGE = StorageOutputs(
    bucket_names={"uploads": "acme-stg-uploads", "user-files": "acme-stg-user-files"},
    bucket_arns={"uploads": "arn:uploads", "user-files": "arn:user-files"},
    queue_urls={"mailer": "https://sqs/mailer", "line": "https://sqs/line"},
    queue_arns={"mailer": "arn:mailer", "line": "arn:line"},
    dead_letter_queue_urls={"mailer": "https://sqs/mailer-dlq", "line": "https://sqs/line-dlq"},
    bucket_descriptions={},
    kms_key_arn="arn:key",
)
S3_KEY = (("StringEquals", "kms:ViaService", ("s3.ap-northeast-1.amazonaws.com",)),)
SQS_KEY = (("StringEquals", "kms:ViaService", ("sqs.ap-northeast-1.amazonaws.com",)),)


def grants(**named: dict[str, str]) -> dict[str, PolicyGrant]:
    access = resolve_access(
        buckets=named.get("buckets", {}),  # type: ignore[arg-type]
        queues=named.get("queues", {}),  # type: ignore[arg-type]
        storage=STORAGE,
        region="ap-northeast-1",
    )
    return {grant.sid: grant for grant in access.grants}


def test_nothing_named_nothing_granted() -> None:
    access = resolve_access(buckets={}, queues={}, storage=STORAGE, region="ap-northeast-1")
    assert access.grants == () and access.environment == {}


def test_read_lists_and_gets_and_decrypts_through_s3_only() -> None:
    assert grants(buckets={"uploads": "read"}) == {
        "ListBucketUploads": PolicyGrant("ListBucketUploads", ("s3:ListBucket",), ("arn:uploads",)),
        "ObjectsUploads": PolicyGrant("ObjectsUploads", ("s3:GetObject",), ("arn:uploads/*",)),
        "BucketKey": PolicyGrant("BucketKey", ("kms:Decrypt",), ("arn:key",), S3_KEY),
    }


def test_read_write_also_puts_and_deletes_and_gets_data_keys() -> None:
    found = grants(buckets={"user-files": "read-write", "uploads": "read"})
    assert found["ObjectsUserFiles"].actions == (
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
    )
    assert found["ObjectsUserFiles"].resources == ("arn:user-files/*",)
    assert found["ObjectsUploads"].actions == ("s3:GetObject",)
    assert found["BucketKey"] == PolicyGrant("BucketKey", ("kms:Decrypt", "kms:GenerateDataKey"), ("arn:key",), S3_KEY)


def test_send_receive_and_both() -> None:
    assert grants(queues={"mailer": "send"}) == {
        "QueueMailer": PolicyGrant("QueueMailer", ("sqs:GetQueueAttributes", "sqs:SendMessage"), ("arn:mailer",)),
        "QueueKey": PolicyGrant("QueueKey", ("kms:Decrypt", "kms:GenerateDataKey"), ("arn:key",), SQS_KEY),
    }
    receive = grants(queues={"mailer": "receive"})
    assert receive["QueueMailer"].actions == (
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    )
    assert receive["QueueKey"].actions == ("kms:Decrypt",)
    both = grants(queues={"mailer": "send-receive", "line": "send"})
    assert set(both["QueueMailer"].actions) == {*receive["QueueMailer"].actions, "sqs:SendMessage"}
    assert both["QueueLine"].resources == ("arn:line",)
    assert "BucketKey" not in both


def test_variables_name_the_bucket_and_the_queue_url() -> None:
    access = resolve_access(
        buckets={"user-files": "read"}, queues={"mailer": "send"}, storage=STORAGE, region="ap-northeast-1"
    )
    assert access.environment == {"USER_FILES_BUCKET": "acme-stg-user-files", "MAILER_QUEUE_URL": "https://sqs/mailer"}
