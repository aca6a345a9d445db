"""modules/tokens.py answers `Token.is_unresolved` for strings as the kernel does, without asking it."""

from __future__ import annotations

import jsii
import pytest
from cdktf import TerraformStack, Testing, Token
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

from modules.tokens import is_unresolved


def samples() -> list[str]:
    bucket = S3Bucket(TerraformStack(Testing.app(), "tokens"), "bucket")
    return [
        bucket.arn,
        f"{bucket.arn}/*",
        f"prefix-{bucket.bucket}-{bucket.id}",
        Token.as_string(Token.as_list(bucket.id)),
        "plain",
        "",
        "${aws_s3_bucket.literal.arn}",  # a Terraform reference written out is not a cdktf token
        "${TfToken[not a key]}",  # the marker's prefix without its shape: the kernel decides
        "TfToken[",
    ]


def test_every_sample_gets_the_kernel_s_answer() -> None:
    for text in samples():
        assert is_unresolved(text) is bool(Token.is_unresolved(text)), text


def test_a_certain_answer_costs_no_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    text, plain = samples()[1], "plain"
    calls: list[object] = []
    original = jsii.sinvoke

    def counting(*args: object) -> object:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(jsii, "sinvoke", counting)
    assert is_unresolved(text) and not is_unresolved(plain)
    assert calls == []
    assert is_unresolved("${TfToken[not a key]}") is False
    assert len(calls) == 1
