"""Storage layer: the application buckets (`[storage.<name>]`) and SQS queues (`[queues.<name>]`).

It comes before compute, which grants each service access to the buckets and queues it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from config.storage import bucket_name
from modules.storage import AppBucket, Queue
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class StorageOutputs:
    """Per bucket key its name and ARN, per queue key its URL and ARN (and its dead-letter queue's)."""

    bucket_names: Mapping[str, str]
    bucket_arns: Mapping[str, str]
    queue_urls: Mapping[str, str]
    queue_arns: Mapping[str, str]
    dead_letter_queue_urls: Mapping[str, str]
    bucket_descriptions: Mapping[str, str]
    """What each bucket holds (its config `description`), for the stack outputs."""
    kms_key_arn: str
    """The CMK that encrypts the objects and messages (a role using them needs it through S3 / SQS)."""


def storage_layer(scope: Construct, *, env: EnvironmentContext, encryption: EncryptionOutputs) -> StorageOutputs:
    """Buckets and queues encrypted with the environment's CMK; buckets are protected where the environment is."""
    config = env.config
    buckets = {
        key: AppBucket(
            scope,
            f"storage_{key.replace('-', '_')}",
            bucket_name=bucket_name(env.prefix, key),
            config=bucket,
            kms_key_arn=encryption.kms_key_arn,
            protect=config.protected,
        )
        for key, bucket in config.enabled_buckets.items()
    }
    queues = {
        key: Queue(
            scope,
            f"queue_{key.replace('-', '_')}",
            name=env.prefix,
            key=key,
            config=queue,
            kms_key_arn=encryption.kms_key_arn,
        )
        for key, queue in config.enabled_queues.items()
    }
    return StorageOutputs(
        bucket_names={key: bucket.bucket_name for key, bucket in buckets.items()},
        bucket_arns={key: bucket.bucket_arn for key, bucket in buckets.items()},
        queue_urls={key: queue.queue_url for key, queue in queues.items()},
        queue_arns={key: queue.queue_arn for key, queue in queues.items()},
        dead_letter_queue_urls={key: queue.dead_letter_queue_url for key, queue in queues.items()},
        bucket_descriptions={key: bucket.description for key, bucket in config.enabled_buckets.items()},
        kms_key_arn=encryption.kms_key_arn,
    )


def storage_outputs(storage: StorageOutputs) -> list[StackOutput]:
    """Bucket names (described with what each holds) and queue URLs, only when the environment has any."""
    outputs = []
    if storage.bucket_names:
        described = "; ".join(
            f"{key}: {storage.bucket_descriptions[key]}"
            for key in storage.bucket_names
            if storage.bucket_descriptions.get(key)
        )
        outputs.append(
            StackOutput(
                "storage",
                "bucket_names",
                dict(storage.bucket_names),
                "Application bucket name per key (SSE-KMS, versioned, TLS only)"
                + (f". {described}" if described else ""),
            )
        )
    if storage.queue_urls:
        outputs += [
            StackOutput("storage", "queue_urls", dict(storage.queue_urls), "SQS queue URL per key"),
            StackOutput(
                "storage",
                "dead_letter_queue_urls",
                dict(storage.dead_letter_queue_urls),
                "Dead-letter queue URL per queue key: messages that failed max_receive_count times",
            ),
        ]
    return outputs
