"""Operations gaps on the composed reference environments: Batch job secrets, TLS-only queue policies, bastion
session logging, CloudTrail metric alarms; each asserted where it is on (stg/prod) and where it is off (dev)."""

from __future__ import annotations

import pytest
from cdktf import Testing

from config import PlatformConfig
from stacks.platform import PlatformStack
from tests.conftest import Json, resources, synth_json


def platform(config: PlatformConfig, name: str) -> Json:
    app = Testing.app()
    return synth_json(PlatformStack(app, name, project=config.project, environment=config.environment(name)))


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> Json:
    return platform(reference_config, "prod")


@pytest.fixture(scope="module")
def stg(reference_config: PlatformConfig) -> Json:
    return platform(reference_config, "stg")


@pytest.fixture(scope="module")
def dev(reference_config: PlatformConfig) -> Json:
    return platform(reference_config, "dev")


def reference_id(expression: str) -> tuple[str, str]:
    """`${aws_sqs_queue.x.url}` -> ("aws_sqs_queue", "x")."""
    kind, ident, _ = expression.removeprefix("${").removesuffix("}").split(".", maxsplit=2)
    return kind, ident


# --- TLS-only queue policies ------------------------------------------------------------------------------


def test_every_queue_and_dead_letter_queue_refuses_plain_http(prod: Json, stg: Json) -> None:
    for document in (prod, stg):
        queues = resources(document, "aws_sqs_queue")
        assert len(queues) == 2  # mailer and its dead-letter queue
        covered = {
            reference_id(policy["queue_url"])[1] for policy in resources(document, "aws_sqs_queue_policy").values()
        }
        assert covered == set(queues)
        for policy in resources(document, "aws_sqs_queue_policy").values():
            _, document_id = reference_id(policy["policy"].replace("data.", "", 1))
            (statement,) = document["data"]["aws_iam_policy_document"][document_id]["statement"]
            assert statement["effect"] == "Deny" and statement["actions"] == ["sqs:*"]
            assert statement["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_no_queue_policy_without_queues(dev: Json) -> None:
    assert not resources(dev, "aws_sqs_queue") and not resources(dev, "aws_sqs_queue_policy")
