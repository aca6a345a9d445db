"""Sending structs as their given values changes nothing but the work of serializing them."""

from __future__ import annotations

import json
from typing import Any

import jsii
import jsii._kernel as jsii_kernel
import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket, S3BucketConfig

from modules.struct_values import struct_values, struct_values_only


def serialized(value: object) -> Any:
    return jsii_kernel._make_reference_for_native(jsii.kernel, value)


def statement() -> DataAwsIamPolicyDocumentStatement:
    return DataAwsIamPolicyDocumentStatement(
        actions=["sts:AssumeRole"],
        principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=["ecs.amazonaws.com"])],
    )


def test_a_struct_is_sent_as_the_values_it_was_given() -> None:
    everything = serialized(statement())["$jsii.struct"]
    with struct_values_only():
        given = serialized(statement())["$jsii.struct"]
    assert (
        given["fqn"]
        == everything["fqn"]
        == "@cdktf/provider-aws.dataAwsIamPolicyDocument.DataAwsIamPolicyDocumentStatement"
    )
    assert set(given["data"]) == {"actions", "principals"}  # jsii names
    assert None in everything["data"].values()  # jsii's own path sends every unset property as null
    assert given["data"] == {key: value for key, value in everything["data"].items() if value is not None}
    principal = given["data"]["principals"][0]["$jsii.struct"]  # nested structs take the same path
    assert principal["data"] == {"type": "Service", "identifiers": ["ecs.amazonaws.com"]}


def test_jsii_names_are_used_for_python_names() -> None:
    config = S3BucketConfig(bucket="logs", force_destroy=False, object_lock_enabled=True)
    with struct_values_only():
        data = serialized(config)["$jsii.struct"]["data"]
    assert data == {"bucket": "logs", "forceDestroy": False, "objectLockEnabled": True}


class NotABinding:
    """Our own object that happens to keep a `_values` dict: jsii's path handles it (here: by reference)."""

    __jsii_type__ = "@cdktf/provider-aws.s3Bucket.S3BucketConfig"

    def __init__(self) -> None:
        self._values = {"bucket": "logs"}


def test_only_structs_of_the_generated_bindings_are_read_from_values() -> None:
    assert struct_values(S3BucketConfig(bucket="logs")) == {"bucket": "logs"}
    assert struct_values(NotABinding()) is None
    assert struct_values({"bucket": "logs"}) is None
    with struct_values_only():
        assert serialized(NotABinding()) is not None
        assert serialized({"a": ["b"]}) == {"$jsii.map": {"a": ["b"]}}


def synth_policy() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "structs")
    S3Bucket(stack, "bucket", bucket="logs", tags={"Name": "logs"})
    DataAwsIamPolicyDocument(stack, "policy", statement=[statement()])
    synthesized: dict[str, Any] = json.loads(Testing.synth(stack))
    return synthesized


def test_the_kernel_builds_the_same_resources() -> None:
    plain = synth_policy()
    with struct_values_only():
        given = synth_policy()
    assert given == plain
    assert plain["resource"]["aws_s3_bucket"]["bucket"]["tags"] == {"Name": "logs"}


def test_jsii_is_restored_when_the_block_raises() -> None:
    original = jsii_kernel._make_reference_for_native
    with pytest.raises(RuntimeError), struct_values_only():
        assert jsii_kernel._make_reference_for_native is not original
        raise RuntimeError
    assert jsii_kernel._make_reference_for_native is original
