"""PrivateBucket: the hardening shared by the state bucket and the ALB access-log bucket."""

from __future__ import annotations

from cdktf import TerraformStack, Testing

from modules.bucket import BucketGrant, PrivateBucket
from tests.conftest import Json, only, resources, synth_json


def bucket_json(**options: object) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    PrivateBucket(stack, "data", bucket_name="acme-dev-data", **options)  # type: ignore[arg-type]
    return synth_json(stack)


def statements(document: Json) -> dict[str, Json]:
    (policy,) = document["data"]["aws_iam_policy_document"].values()
    return {statement["sid"]: statement for statement in policy["statement"]}


def test_kms_encryption_with_bucket_key() -> None:
    (rule,) = only(
        bucket_json(kms_key_arn="arn:aws:kms:ap-northeast-1:1:key/k"),
        "aws_s3_bucket_server_side_encryption_configuration",
    )["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": "arn:aws:kms:ap-northeast-1:1:key/k",
    }
    assert rule["bucket_key_enabled"] is True


def test_sse_s3_when_no_key() -> None:
    (rule,) = only(bucket_json(kms_key_arn=None), "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}
    assert "bucket_key_enabled" not in rule


def test_private_versioned_and_tls_only() -> None:
    document = bucket_json(kms_key_arn=None)
    block = only(document, "aws_s3_bucket_public_access_block")
    assert all(
        block[key] is True
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert only(document, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    assert set(statements(document)) == {"DenyInsecureTransport", "DenyOutdatedTls"}
    assert only(document, "aws_s3_bucket_policy")["depends_on"] == [
        next(
            f"aws_s3_bucket_public_access_block.{key}"
            for key in resources(document, "aws_s3_bucket_public_access_block")
        )
    ]


def test_grants_are_scoped_to_their_prefix() -> None:
    document = bucket_json(
        kms_key_arn=None,
        grants=[
            BucketGrant(
                "Delivery", "Service", "logdelivery.elasticloadbalancing.amazonaws.com", ("s3:PutObject",), "alb/"
            )
        ],
    )
    grant = statements(document)["Delivery"]
    assert grant["actions"] == ["s3:PutObject"] and grant["resources"][0].endswith("/alb/*")
    assert grant["principals"] == [
        {"type": "Service", "identifiers": ["logdelivery.elasticloadbalancing.amazonaws.com"]}
    ]


def test_protect_and_lifecycle_toggles() -> None:
    protected = only(bucket_json(kms_key_arn=None, protect=True), "aws_s3_bucket")
    assert protected["lifecycle"] == {"prevent_destroy": True} and protected["force_destroy"] is False
    plain = bucket_json(kms_key_arn=None, force_destroy=True)
    assert "lifecycle" not in only(plain, "aws_s3_bucket") and only(plain, "aws_s3_bucket")["force_destroy"] is True
    assert resources(plain, "aws_s3_bucket_lifecycle_configuration") == {}


def test_kms_bucket_denies_uploads_asking_for_other_encryption() -> None:
    document = bucket_json(kms_key_arn="arn:aws:kms:ap-northeast-1:1:key/k")
    deny = statements(document)["DenyNonKmsUploads"]
    assert deny["effect"] == "Deny" and deny["actions"] == ["s3:PutObject"]
    # IfExists: requests without the header still pass and get the CMK: multipart parts, and the `.tflock` object
    # of S3 native locking, which Terraform 1.10/1.11 put with no SSE header (it relies on the bucket default)
    assert deny["condition"] == [
        {"test": "StringNotEqualsIfExists", "variable": "s3:x-amz-server-side-encryption", "values": ["aws:kms"]}
    ]
    assert "DenyNonKmsUploads" not in statements(bucket_json(kms_key_arn=None))


def test_versioning_can_be_left_off() -> None:
    assert "aws_s3_bucket_versioning" not in bucket_json(kms_key_arn=None, versioning=False)["resource"]
    assert resources(bucket_json(kms_key_arn=None), "aws_s3_bucket_versioning")


def test_object_ownership_for_acl_delivery() -> None:
    document = bucket_json(kms_key_arn=None, object_ownership="BucketOwnerPreferred")
    assert only(document, "aws_s3_bucket_ownership_controls")["rule"]["object_ownership"] == "BucketOwnerPreferred"
    default = bucket_json(kms_key_arn=None)
    assert only(default, "aws_s3_bucket_ownership_controls")["rule"]["object_ownership"] == "BucketOwnerEnforced"


def test_grant_added_later_is_scoped_to_its_source() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    bucket = PrivateBucket(stack, "data", bucket_name="acme-dev-data", kms_key_arn=None)
    bucket.add_grant(
        BucketGrant(
            "CloudFrontReads",
            "Service",
            "cloudfront.amazonaws.com",
            ("s3:GetObject",),
            "",
            source_arn="arn:aws:cloudfront::123456789012:distribution/E1",
        )
    )
    found = statements(synth_json(stack))
    assert set(found) == {"CloudFrontReads", "DenyInsecureTransport", "DenyOutdatedTls"}
    assert found["CloudFrontReads"]["condition"] == [
        {
            "test": "StringEquals",
            "variable": "AWS:SourceArn",
            "values": ["arn:aws:cloudfront::123456789012:distribution/E1"],
        }
    ]
    assert found["CloudFrontReads"]["resources"][0].endswith(".arn}/*")
