"""Application buckets (`[storage.<name>]`) and SQS queues (`[queues.<name>]`), and how a service names them.

A service (or a Batch job) gets access to a bucket or queue by naming it with an access mode
(`buckets = { uploads = "read-write" }`, `queues = { mailer = "send" }`); it then gets exactly the IAM actions of
that mode on that resource, and its name or URL as an environment variable (`bucket_variable`, `queue_variable`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.base import ConfigModel, FieldError

StorageKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")]
"""A bucket's or queue's config key: the {component} of its name (`{project}-{env}-<key>`)."""

BucketAccess = Literal["read", "read-write"]
"""What a service may do with a bucket's objects: read (get, list) or read-write (also put and delete)."""

QueueAccess = Literal["send", "receive", "send-receive"]
"""What a service may do with a queue: send messages, receive (and delete) them, or both."""

CorsMethod = Literal["GET", "HEAD", "PUT", "POST", "DELETE"]

ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$")
"""`scheme://host[:port]` (lowercase, no path, no trailing slash); S3 allows one leading `*.` wildcard label."""

IA_MINIMUM_DAYS = 30
"""S3 refuses a transition to STANDARD_IA earlier than 30 days after creation."""


QUEUE_NAME_LIMIT = 80
"""Characters SQS allows in a queue name, `.fifo` included."""


def bucket_name(prefix: str, key: str) -> str:
    """An application bucket's name: `{project}-{env}-<key>` (modules/storage)."""
    return f"{prefix}-{key}"


def queue_name(prefix: str, key: str, *, fifo: bool, dead_letter: bool = False) -> str:
    """A queue's name, `{project}-{env}-<key>`, `-dlq` for its dead-letter queue; FIFO queues end in `.fifo`."""
    return f"{prefix}-{key}{'-dlq' if dead_letter else ''}{'.fifo' if fifo else ''}"


def bucket_variable(key: str) -> str:
    """The environment variable that carries a bucket's name to a service that names it: `uploads` -> UPLOADS_BUCKET."""
    return f"{key.upper().replace('-', '_')}_BUCKET"


def queue_variable(key: str) -> str:
    """The environment variable that carries a queue's URL: `mailer` -> MAILER_QUEUE_URL."""
    return f"{key.upper().replace('-', '_')}_QUEUE_URL"


def origin_problem(origin: str) -> str | None:
    """Why `origin` is not a browser origin S3 CORS can match (None when it is one)."""
    if ORIGIN.match(origin):
        port = origin.rsplit(":", 1)[-1] if origin.count(":") == 2 else None
        if port is not None and not 1 <= int(port) <= 65535:
            return f"'{origin}' has port {port}, outside 1-65535"
        return None
    return (
        f"'{origin}' is not an origin; write scheme://host[:port] with http or https, lowercase, no path or "
        "trailing slash (e.g. 'https://app.example.jp'; one leading '*.' label is allowed)"
    )


class LifecycleConfig(ConfigModel):
    """When current objects move to Standard-IA and expire; noncurrent versions and stale uploads are cleaned."""

    infrequent_access_after_days: int | None = Field(default=None, ge=IA_MINIMUM_DAYS, le=36500)
    """Days after creation when an object moves to S3 Standard-IA (seed 004: 180); unset keeps it in Standard."""
    expire_after_days: int | None = Field(default=None, ge=1, le=36500)
    """Days after creation when an object expires (seed 004: 730); unset keeps it."""
    noncurrent_expire_after_days: int | None = Field(default=90, ge=1, le=36500)
    """Days an overwritten or deleted version stays restorable; unset keeps every version forever."""
    abort_incomplete_upload_days: int = Field(default=7, ge=1, le=365)
    """Days after which parts of an unfinished multipart upload are removed."""

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleConfig:
        ia, expire = self.infrequent_access_after_days, self.expire_after_days
        if ia is not None and expire is not None and expire <= ia:
            raise FieldError(
                "expire_after_days",
                f"{expire} is not after infrequent_access_after_days ({ia}); an object must move to Standard-IA "
                "before it expires (S3 refuses the rule otherwise)",
            )
        return self


class BucketConfig(ConfigModel):
    """An application bucket: SSE-KMS with the environment's CMK, versioned, TLS-only, private."""

    enabled: bool = True
    description: str = Field(default="", max_length=200)
    """What the bucket holds; it becomes the description of its name in the stack outputs."""
    cors_origins: tuple[str, ...] = ()
    """Browser origins of this environment's own apps that may call the bucket directly (presigned URLs)."""
    cors_methods: tuple[CorsMethod, ...] = ("GET", "HEAD")
    cors_max_age_seconds: int = Field(default=3000, ge=0, le=86400)
    lifecycle: LifecycleConfig = LifecycleConfig()

    @model_validator(mode="after")
    def _origins(self) -> BucketConfig:
        for index, origin in enumerate(self.cors_origins):
            problem = origin_problem(origin)
            if problem is not None:
                raise FieldError(f"cors_origins[{index}]", problem)
        if self.cors_origins and not self.cors_methods:
            raise FieldError("cors_methods", "CORS needs at least one method; allowed: GET, HEAD, PUT, POST, DELETE")
        return self


class QueueConfig(ConfigModel):
    """An SQS queue with its dead-letter queue, both encrypted with the environment's CMK."""

    enabled: bool = True
    description: str = Field(default="", max_length=200)
    visibility_timeout_seconds: int = Field(default=30, ge=0, le=43200)
    """How long a received message stays hidden; set it above the consumer's longest processing time."""
    message_retention_seconds: int = Field(default=345600, ge=60, le=1209600)
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    """Receives after which a message moves to the dead-letter queue (the redrive policy)."""
    dead_letter_retention_seconds: int = Field(default=1209600, ge=60, le=1209600)
    """How long failed messages stay in the dead-letter queue (default: the 14-day maximum)."""
    receive_wait_time_seconds: int = Field(default=20, ge=0, le=20)
    """Long polling: how long a receive waits for messages before returning empty."""
    fifo: bool = False

    @model_validator(mode="after")
    def _dead_letters_outlive(self) -> QueueConfig:
        if self.dead_letter_retention_seconds < self.message_retention_seconds:
            # SQS keeps the original enqueue time: a shorter DLQ retention deletes moved messages early.
            raise FieldError(
                "dead_letter_retention_seconds",
                f"{self.dead_letter_retention_seconds} is shorter than message_retention_seconds "
                f"({self.message_retention_seconds}); moved messages keep their enqueue time and would expire early",
            )
        return self
