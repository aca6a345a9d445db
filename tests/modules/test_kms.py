"""The environment CMK: rotation, a key policy CloudWatch Logs can use for the data-store log groups, protection."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest
from cdktf import TerraformStack, Testing

from modules.kms import EncryptionKey
from tests.conftest import Json, only, synth_json

ACCOUNT = "111122223333"
REGION = "ap-northeast-1"


def key_json(*, protected: bool) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    EncryptionKey(
        stack,
        "kms",
        alias="acme-prod",
        description="acme-prod data at rest and logs",
        account_id=ACCOUNT,
        partition="aws",
        region=REGION,
        protected=protected,
    )
    return synth_json(stack)


def test_protected_key_cannot_be_destroyed_and_waits_the_longest_window() -> None:
    key = only(key_json(protected=True), "aws_kms_key")
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert key["deletion_window_in_days"] == 30 and key["enable_key_rotation"] is True


def test_unprotected_key_can_be_destroyed() -> None:
    key = only(key_json(protected=False), "aws_kms_key")
    assert "lifecycle" not in key
    assert key["deletion_window_in_days"] == 30


@pytest.mark.parametrize(
    "log_group",
    [
        "/aws/rds/cluster/acme-prod-db/postgresql",
        "/aws/rds/instance/acme-prod-db/upgrade",
        "/aws/elasticache/acme-prod-redis/slow-log",
    ],
)
def test_logs_service_may_use_the_key_for_the_data_store_log_groups(log_group: str) -> None:
    document = key_json(protected=True)
    (statement,) = [
        statement
        for statement in next(iter(document["data"]["aws_iam_policy_document"].values()))["statement"]
        if statement["sid"] == "CloudWatchLogsOfThisAccount"
    ]
    assert statement["principals"] == [{"type": "Service", "identifiers": [f"logs.{REGION}.amazonaws.com"]}]
    assert "kms:GenerateDataKey*" in statement["actions"] and "kms:Decrypt*" in statement["actions"]
    (condition,) = statement["condition"]
    assert (condition["test"], condition["variable"]) == ("ArnLike", "kms:EncryptionContext:aws:logs:arn")
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}"
    assert any(fnmatchcase(arn, pattern) for pattern in condition["values"])
    assert not any(fnmatchcase(arn.replace(ACCOUNT, "999999999999"), pattern) for pattern in condition["values"])
