"""Pure planning: the IAM grants and environment values of a role that names buckets and queues.

A service (or Batch job) that names `buckets = { uploads = "read-write" }` gets exactly the actions of that mode
on that bucket's ARN, KMS use of the CMK only through S3 (or SQS for queues), and the bucket's name (queue's URL)
as an environment variable. Plain functions over the storage layer's outputs, unit-tested without synthesizing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.storage import BucketAccess, QueueAccess, bucket_variable, queue_variable
from modules.iam import PolicyGrant
from stacks.layers.storage import StorageOutputs

OBJECT_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": ("s3:GetObject",),
    "read-write": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"),
}
"""Object-level actions (on `<bucket arn>/*`) per bucket access mode; both also list the bucket."""

BUCKET_KEY_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": ("kms:Decrypt",),
    "read-write": ("kms:Decrypt", "kms:GenerateDataKey"),
}
"""What S3 needs of the CMK on the caller's behalf: decrypt to read, a data key to write (multipart: both)."""

QUEUE_ACTIONS: dict[str, tuple[str, ...]] = {
    "send": ("sqs:GetQueueAttributes", "sqs:SendMessage"),
    "receive": ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
}
"""Queue actions per mode (SendMessageBatch and DeleteMessageBatch are authorized by their single forms)."""

QUEUE_KEY_ACTIONS: dict[str, tuple[str, ...]] = {
    "send": ("kms:Decrypt", "kms:GenerateDataKey"),
    "receive": ("kms:Decrypt",),
}
"""What SQS needs of the CMK on the caller's behalf: a data key to send, decrypt to receive."""


@dataclass(frozen=True)
class ResolvedAccess:
    """The grants for the role, and the environment variables naming each bucket and queue."""

    grants: tuple[PolicyGrant, ...]
    environment: Mapping[str, str]


def _modes(access: QueueAccess) -> tuple[str, ...]:
    return ("send", "receive") if access == "send-receive" else (access,)


def _sid(prefix: str, key: str) -> str:
    return prefix + "".join(part.capitalize() for part in key.split("-"))


def resolve_access(
    *,
    buckets: Mapping[str, BucketAccess],
    queues: Mapping[str, QueueAccess],
    storage: StorageOutputs,
    region: str,
) -> ResolvedAccess:
    """Grants and variables for the named buckets and queues (known to exist: config.storage_checks)."""
    grants: list[PolicyGrant] = []
    environment: dict[str, str] = {}
    bucket_key: set[str] = set()
    for key, access in sorted(buckets.items()):
        arn = storage.bucket_arns[key]
        grants += [
            PolicyGrant(sid=_sid("ListBucket", key), actions=("s3:ListBucket",), resources=(arn,)),
            PolicyGrant(sid=_sid("Objects", key), actions=OBJECT_ACTIONS[access], resources=(f"{arn}/*",)),
        ]
        bucket_key |= set(BUCKET_KEY_ACTIONS[access])
        environment[bucket_variable(key)] = storage.bucket_names[key]
    if bucket_key:
        grants.append(_key_grant("BucketKey", bucket_key, storage.kms_key_arn, f"s3.{region}.amazonaws.com"))
    queue_key: set[str] = set()
    for key, mode in sorted(queues.items()):
        actions = sorted({action for part in _modes(mode) for action in QUEUE_ACTIONS[part]})
        grants.append(PolicyGrant(sid=_sid("Queue", key), actions=tuple(actions), resources=(storage.queue_arns[key],)))
        queue_key |= {action for part in _modes(mode) for action in QUEUE_KEY_ACTIONS[part]}
        environment[queue_variable(key)] = storage.queue_urls[key]
    if queue_key:
        grants.append(_key_grant("QueueKey", queue_key, storage.kms_key_arn, f"sqs.{region}.amazonaws.com"))
    return ResolvedAccess(grants=tuple(grants), environment=environment)


def _key_grant(sid: str, actions: set[str], kms_key_arn: str, via: str) -> PolicyGrant:
    """Use of the CMK only when S3 or SQS calls KMS for the role (not directly)."""
    return PolicyGrant(
        sid=sid,
        actions=tuple(sorted(actions)),
        resources=(kms_key_arn,),
        conditions=(("StringEquals", "kms:ViaService", (via,)),),
    )
