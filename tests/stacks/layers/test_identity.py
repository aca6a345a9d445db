"""The identity and API layers in an environment: off in dev, on in prod, wired to each other, with outputs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cdktf import Testing

from config import PlatformConfig
from stacks.platform import PlatformStack
from tests.conftest import Json, only, resources, synth_json

IDENTITY_OUTPUTS = {
    "cognito_user_pool_id",
    "cognito_user_pool_client_id",
    "cognito_domain",
    "cognito_issuer",
    "cognito_identity_pool_id",
}
API_OUTPUTS = {"api_endpoint", "lambda_function_names", "lambda_code_bucket"}


def stack(config: PlatformConfig, name: str) -> tuple[Json, PlatformStack]:
    platform = PlatformStack(Testing.app(), name, project=config.project, environment=config.environment(name))
    return synth_json(platform), platform


@pytest.fixture(scope="module")
def prod(reference_config: PlatformConfig) -> tuple[Json, PlatformStack]:
    return stack(reference_config, "prod")


def test_dev_has_no_cognito_and_no_api(reference_config: PlatformConfig) -> None:
    document, platform = stack(reference_config, "dev")
    types = set(document["resource"])
    assert not {t for t in types if t.startswith(("aws_cognito", "aws_apigatewayv2", "aws_lambda"))}
    assert platform.layers.identity is None and platform.layers.api is None
    assert not (IDENTITY_OUTPUTS | API_OUTPUTS) & set(document["output"])
    assert platform.layers.security.function_security_group_ids == {}


def test_prod_has_both_with_described_outputs(prod: tuple[Json, PlatformStack]) -> None:
    document, platform = prod
    assert platform.layers.identity is not None and platform.layers.api is not None
    outputs = document["output"]
    assert set(outputs) >= IDENTITY_OUTPUTS | API_OUTPUTS
    assert all(outputs[name]["description"] for name in IDENTITY_OUTPUTS | API_OUTPUTS)
    assert outputs["cognito_user_pool_id"]["value"].startswith("${aws_cognito_user_pool.")
    assert outputs["api_endpoint"]["value"].endswith(".invoke_url}")


def test_authorizer_trusts_this_environments_pool_and_client(prod: tuple[Json, PlatformStack]) -> None:
    document, _ = prod
    (pool_id,) = resources(document, "aws_cognito_user_pool")
    (client_id,) = resources(document, "aws_cognito_user_pool_client")
    jwt = only(document, "aws_apigatewayv2_authorizer")["jwt_configuration"]
    assert jwt["issuer"] == f"https://${{aws_cognito_user_pool.{pool_id}.endpoint}}"
    assert jwt["audience"] == [f"${{aws_cognito_user_pool_client.{client_id}.id}}"]


def test_vpc_function_runs_in_the_private_subnets(prod: tuple[Json, PlatformStack]) -> None:
    document, _ = prod
    function = only(document, "aws_lambda_function")
    private = {
        f"${{aws_subnet.{logical_id}.id}}"
        for logical_id, subnet in resources(document, "aws_subnet").items()
        if subnet["tags"]["Tier"] == "private"
    }
    assert len(private) == 2 and set(function["vpc_config"]["subnet_ids"]) == private


def test_api_without_auth_needs_public_routes_only(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with(
        {
            "defaults": {"api": {"routes": {"ANY /items/{proxy+}": {"authorization": "none"}}}},
            "environments": {"prod": {"auth": {"enabled": False}}},
        }
    )
    document, platform = stack(config, "prod")
    assert platform.layers.identity is None
    assert resources(document, "aws_apigatewayv2_authorizer") == {}
    assert {route["authorization_type"] for route in resources(document, "aws_apigatewayv2_route").values()} == {"NONE"}
    assert not IDENTITY_OUTPUTS & set(document["output"]) and set(document["output"]) >= API_OUTPUTS


def test_prod_pool_sends_through_the_email_layers_identity(prod: tuple[Json, PlatformStack]) -> None:
    document, platform = prod
    (identity_id,) = resources(document, "aws_sesv2_email_identity")
    (configuration_set_id,) = resources(document, "aws_sesv2_configuration_set")
    (verification_id,) = resources(document, "aws_ses_domain_identity_verification")
    verification = only(document, "aws_ses_domain_identity_verification")
    assert verification["domain"] == f"${{aws_sesv2_email_identity.{identity_id}.email_identity}}"
    assert only(document, "aws_cognito_user_pool")["email_configuration"] == {
        "email_sending_account": "DEVELOPER",
        "source_arn": f"${{aws_ses_domain_identity_verification.{verification_id}.arn}}",
        "from_email_address": "Acme <no-reply@acme.example>",
        "configuration_set": f"${{aws_sesv2_configuration_set.{configuration_set_id}.configuration_set_name}}",
    }
    assert platform.layers.email is not None and platform.layers.email.sender == "no-reply@acme.example"


def test_stg_from_name_and_address(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"stg": {"auth": {"from_address": "accounts@stg.acme.example"}}}})
    document, _ = stack(config, "stg")
    configuration = only(document, "aws_cognito_user_pool")["email_configuration"]
    assert configuration["from_email_address"] == "Acme Staging <accounts@stg.acme.example>"


def test_cognito_sender_keeps_the_default_even_with_email_on(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"prod": {"auth": {"email_sender": "cognito", "from_name": None}}}})
    document, platform = stack(config, "prod")
    assert platform.layers.email is not None
    assert only(document, "aws_cognito_user_pool")["email_configuration"] == {
        "email_sending_account": "COGNITO_DEFAULT"
    }
    assert resources(document, "aws_ses_domain_identity_verification") == {}


def test_function_role_gets_exactly_the_named_storage(prod: tuple[Json, PlatformStack]) -> None:
    document, platform = prod
    assert platform.layers.api is not None
    function = only(document, "aws_lambda_function")
    (role_id,) = [
        key for key, role in resources(document, "aws_iam_role").items() if role["name"] == "acme-prod-fn-items"
    ]
    assert function["role"] == f"${{aws_iam_role.{role_id}.arn}}"
    (policy,) = [
        p for p in resources(document, "aws_iam_role_policy").values() if p["role"] == f"${{aws_iam_role.{role_id}.id}}"
    ]
    document_id = policy["policy"].removeprefix("${data.aws_iam_policy_document.").removesuffix(".json}")
    statements = {s["sid"]: s for s in document["data"]["aws_iam_policy_document"][document_id]["statement"]}
    buckets = {
        key for key, bucket in resources(document, "aws_s3_bucket").items() if bucket["bucket"] == "acme-prod-uploads"
    }
    (uploads,) = buckets
    queues = {key for key, queue in resources(document, "aws_sqs_queue").items() if queue["name"] == "acme-prod-mailer"}
    (mailer,) = queues
    (key_id,) = [key for key in resources(document, "aws_kms_key") if key.startswith("kms_key")]
    assert statements["ListBucketUploads"]["resources"] == [f"${{aws_s3_bucket.{uploads}.arn}}"]
    assert statements["ObjectsUploads"]["resources"] == [f"${{aws_s3_bucket.{uploads}.arn}}/*"]
    assert statements["QueueMailer"] == {
        "sid": "QueueMailer",
        "actions": ["sqs:GetQueueAttributes", "sqs:SendMessage"],
        "resources": [f"${{aws_sqs_queue.{mailer}.arn}}"],
    }
    assert statements["BucketKey"]["resources"] == [f"${{aws_kms_key.{key_id}.arn}}"]
    assert set(statements) == {
        "OwnLogGroup",
        "VpcNetworkInterfaces",
        "ListBucketUploads",
        "ObjectsUploads",
        "BucketKey",
        "QueueMailer",
        "QueueKey",
    }
    assert function["environment"]["variables"] == {
        "UPLOADS_BUCKET": f"${{aws_s3_bucket.{uploads}.bucket}}",
        "MAILER_QUEUE_URL": f"${{aws_sqs_queue.{mailer}.url}}",
    }


def test_function_without_named_storage_gets_its_log_group_only(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"environments": {"prod": {"api": {"functions": {"hooks": {}}}}}})
    document, platform = stack(config, "prod")
    policies = document["data"]["aws_iam_policy_document"]
    hooks = [policy["statement"] for key, policy in policies.items() if key.startswith("api_fn_hooks_permissions")]
    assert [[statement["sid"] for statement in statements] for statements in hooks] == [["OwnLogGroup"]]
    functions = {
        function["function_name"]: function for function in resources(document, "aws_lambda_function").values()
    }
    assert "environment" not in functions["acme-prod-fn-hooks"]
    assert set(functions["acme-prod-fn-items"]["environment"]["variables"]) == {"UPLOADS_BUCKET", "MAILER_QUEUE_URL"}
    assert platform.layers.api is not None and platform.layers.api.access["hooks"].grants == ()
