"""The serverless API module: functions (role, log group, code), routes, authorizer and stage, both sides of each
toggle, and the deterministic first-deploy package."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from config.api import ApiConfig
from modules.api import JwtIssuer, ServerlessApi
from modules.api.functions import FunctionAccess
from modules.api.package import bootstrap_package
from modules.iam import PolicyGrant
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS = "arn:aws:kms:ap-northeast-1:111111111111:key/test"
ISSUER = JwtIssuer(issuer="https://cognito-idp.ap-northeast-1.amazonaws.com/pool", audience="client")


def api_config(**fields: Any) -> ApiConfig:
    base: dict[str, Any] = {
        "enabled": True,
        "functions": {"items": {"vpc": True, "data_access": ["database"]}, "hooks": {"runtime": "python3.13"}},
        "routes": {
            "ANY /items/{proxy+}": {"function": "items"},
            "POST /hooks": {"function": "hooks", "authorization": "none"},
        },
    }
    return ApiConfig.model_validate({**base, **fields})


def build(scope: TerraformStack, config: ApiConfig, issuer: JwtIssuer | None = ISSUER, **kwargs: Any) -> ServerlessApi:
    return ServerlessApi(
        scope,
        "api",
        name="acme-prod",
        config=config,
        account_id="111111111111",
        kms_key_arn=KMS,
        subnet_ids=["subnet-a", "subnet-c"],
        function_security_group_ids={"items": "sg-items"},
        issuer=issuer,
        protected=kwargs.get("protected", False),
        access=kwargs.get("access"),
    )


def api_json(config: ApiConfig | None = None, issuer: JwtIssuer | None = ISSUER, **kwargs: Any) -> Json:
    stack = TerraformStack(Testing.app(), "test")
    build(stack, config or api_config(), issuer, **kwargs)
    return synth_json(stack)


def by_name(document: Json, resource_type: str, field: str) -> dict[str, Json]:
    return {resource[field]: resource for resource in resources(document, resource_type).values()}


def test_functions_in_and_outside_the_vpc() -> None:
    functions = by_name(api_json(), "aws_lambda_function", "function_name")
    assert functions["acme-prod-fn-items"]["vpc_config"] == {
        "subnet_ids": ["subnet-a", "subnet-c"],
        "security_group_ids": ["sg-items"],
    }
    assert "vpc_config" not in functions["acme-prod-fn-hooks"]
    assert functions["acme-prod-fn-hooks"]["runtime"] == "python3.13"


def test_role_may_write_its_own_log_group_only_plus_enis_in_the_vpc() -> None:
    document = api_json()
    policies = {
        name: resource
        for name, resource in document["data"]["aws_iam_policy_document"].items()
        if "permissions" in name
    }
    by_function = {("items" if "items" in name else "hooks"): policy["statement"] for name, policy in policies.items()}
    for statements in by_function.values():
        logs = statements[0]
        assert logs["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        (resource,) = logs["resources"]
        assert resource.startswith("${aws_cloudwatch_log_group.") and resource.endswith(".arn}:*")
    assert [statement["sid"] for statement in by_function["items"]] == ["OwnLogGroup", "VpcNetworkInterfaces"]
    assert [statement["sid"] for statement in by_function["hooks"]] == ["OwnLogGroup"]


def test_log_groups_have_retention_and_the_cmk() -> None:
    groups = by_name(api_json(), "aws_cloudwatch_log_group", "name")
    assert set(groups) == {
        "/aws/lambda/acme-prod-fn-items",
        "/aws/lambda/acme-prod-fn-hooks",
        "/aws/apigateway/acme-prod-api",
    }
    assert all(group["kms_key_id"] == KMS and group["retention_in_days"] == 30 for group in groups.values())


def test_code_is_ci_owned_after_the_first_package() -> None:
    document = api_json()
    function = by_name(document, "aws_lambda_function", "function_name")["acme-prod-fn-items"]
    assert function["lifecycle"]["ignore_changes"] == ["s3_bucket", "s3_key", "s3_object_version", "source_code_hash"]
    assert "filename" not in function and "source_code_hash" not in function
    packages = by_name(document, "aws_s3_object", "key")
    assert set(packages) == {"bootstrap/items.zip", "bootstrap/hooks.zip"}
    assert function["s3_key"].startswith("${aws_s3_object.")
    assert "archive" not in str(document.get("terraform", {}).get("required_providers", {}))


def test_environment_variables_are_encrypted_with_the_cmk_only_when_there_are_some() -> None:
    config = api_config(functions={"items": {"environment": {"STAGE": "prod"}}, "hooks": {}})
    functions = by_name(api_json(config), "aws_lambda_function", "function_name")
    assert functions["acme-prod-fn-items"]["environment"] == {"variables": {"STAGE": "prod"}}
    assert functions["acme-prod-fn-items"]["kms_key_arn"] == KMS
    assert "environment" not in functions["acme-prod-fn-hooks"] and "kms_key_arn" not in functions["acme-prod-fn-hooks"]


UPLOADS = "arn:aws:s3:::acme-prod-uploads"
ITEMS_ACCESS = FunctionAccess(
    grants=(
        PolicyGrant(sid="ListBucketUploads", actions=("s3:ListBucket",), resources=(UPLOADS,)),
        PolicyGrant(
            sid="BucketKey",
            actions=("kms:Decrypt",),
            resources=(KMS,),
            conditions=(("StringEquals", "kms:ViaService", ("s3.ap-northeast-1.amazonaws.com",)),),
        ),
    ),
    environment={"UPLOADS_BUCKET": "acme-prod-uploads"},
)


def permissions(document: Json) -> dict[str, list[Json]]:
    policies = document["data"]["aws_iam_policy_document"]
    return {
        ("items" if "items" in name else "hooks"): policy["statement"]
        for name, policy in policies.items()
        if "permissions" in name
    }


def test_function_that_names_storage_gets_its_grants_and_variables_and_the_other_does_not() -> None:
    config = api_config(functions={"items": {"environment": {"STAGE": "prod"}}, "hooks": {}})
    document = api_json(config, access={"items": ITEMS_ACCESS})
    statements = permissions(document)
    assert [statement["sid"] for statement in statements["items"]] == ["OwnLogGroup", "ListBucketUploads", "BucketKey"]
    assert statements["items"][1] == {"sid": "ListBucketUploads", "actions": ["s3:ListBucket"], "resources": [UPLOADS]}
    assert statements["items"][2]["condition"] == [
        {"test": "StringEquals", "variable": "kms:ViaService", "values": ["s3.ap-northeast-1.amazonaws.com"]}
    ]
    assert [statement["sid"] for statement in statements["hooks"]] == ["OwnLogGroup"]
    functions = by_name(document, "aws_lambda_function", "function_name")
    assert functions["acme-prod-fn-items"]["environment"] == {
        "variables": {"STAGE": "prod", "UPLOADS_BUCKET": "acme-prod-uploads"}
    }
    assert functions["acme-prod-fn-items"]["kms_key_arn"] == KMS
    assert "environment" not in functions["acme-prod-fn-hooks"]
    roles = by_name(document, "aws_iam_role", "name")
    assert roles["acme-prod-fn-items"]["description"].endswith("its log group and the buckets and queues it names")
    assert roles["acme-prod-fn-hooks"]["description"].endswith(": its log group only")  # unchanged without access


def test_access_variables_alone_are_encrypted_with_the_cmk() -> None:
    config = api_config(functions={"items": {}, "hooks": {}})
    functions = by_name(api_json(config, access={"hooks": ITEMS_ACCESS}), "aws_lambda_function", "function_name")
    assert functions["acme-prod-fn-hooks"]["environment"] == {"variables": {"UPLOADS_BUCKET": "acme-prod-uploads"}}
    assert functions["acme-prod-fn-hooks"]["kms_key_arn"] == KMS
    assert "kms_key_arn" not in functions["acme-prod-fn-items"]


def test_routes_use_the_jwt_authorizer_unless_public() -> None:
    document = api_json()
    authorizer = only(document, "aws_apigatewayv2_authorizer")
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    assert authorizer["jwt_configuration"] == {"issuer": ISSUER.issuer, "audience": ["client"]}
    routes = by_name(document, "aws_apigatewayv2_route", "route_key")
    assert routes["ANY /items/{proxy+}"]["authorization_type"] == "JWT"
    assert routes["ANY /items/{proxy+}"]["authorizer_id"].startswith("${aws_apigatewayv2_authorizer.")
    assert routes["POST /hooks"]["authorization_type"] == "NONE" and "authorizer_id" not in routes["POST /hooks"]
    integrations = resources(document, "aws_apigatewayv2_integration")
    assert {i["integration_type"] for i in integrations.values()} == {"AWS_PROXY"}
    assert {i["payload_format_version"] for i in integrations.values()} == {"2.0"}
    permissions = resources(document, "aws_lambda_permission").values()
    assert {p["principal"] for p in permissions} == {"apigateway.amazonaws.com"}
    assert all(p["source_arn"].endswith(".execution_arn}/*/*") for p in permissions)


def test_without_issuer_there_is_no_authorizer() -> None:
    config = api_config(routes={"GET /health": {"function": "hooks", "authorization": "none"}})
    document = api_json(config, issuer=None)
    assert resources(document, "aws_apigatewayv2_authorizer") == {}
    # only functions that a route uses get an integration and an invoke permission
    assert len(resources(document, "aws_apigatewayv2_integration")) == 1
    assert len(resources(document, "aws_lambda_permission")) == 1
    with pytest.raises(ValueError, match="needs a JWT authorizer"):
        build(TerraformStack(Testing.app(), "test"), api_config(), issuer=None)


def test_stage_throttles_and_logs_access() -> None:
    stage = only(api_json(api_config(throttling_rate_limit=10, throttling_burst_limit=20)), "aws_apigatewayv2_stage")
    assert stage["name"] == "$default" and stage["auto_deploy"] is True
    settings = stage["default_route_settings"]
    assert (settings["throttling_rate_limit"], settings["throttling_burst_limit"]) == (10, 20)
    assert stage["access_log_settings"]["destination_arn"].startswith("${aws_cloudwatch_log_group.")
    assert '"routeKey":"$context.routeKey"' in stage["access_log_settings"]["format"]


@pytest.mark.parametrize("origins", [(), ("https://app.example.jp",)])
def test_cors_only_when_origins_are_configured(origins: tuple[str, ...]) -> None:
    api = only(api_json(api_config(cors_allow_origins=origins)), "aws_apigatewayv2_api")
    assert api["protocol_type"] == "HTTP"
    assert ("cors_configuration" in api) is bool(origins)
    if origins:
        assert api["cors_configuration"]["allow_origins"] == list(origins)


@pytest.mark.parametrize("protected", [True, False])
def test_artifacts_bucket_kept_in_protected_environments(protected: bool) -> None:
    stack = TerraformStack(Testing.app(), "test")
    build(stack, api_config(), protected=protected)
    bucket = only(synth_json(stack), "aws_s3_bucket")
    assert bucket["bucket"] == "acme-prod-lambda-code-111111111111"
    assert bucket["force_destroy"] is (not protected)


@pytest.mark.parametrize(
    ("runtime", "handler", "file"),
    [("nodejs22.x", "index.handler", "index.mjs"), ("python3.13", "src/app.main", "src/app.py")],
)
def test_first_deploy_package_is_deterministic_and_has_the_handler(runtime: str, handler: str, file: str) -> None:
    package = bootstrap_package(runtime=runtime, handler=handler, function="acme-dev-fn-x")
    assert package == bootstrap_package(runtime=runtime, handler=handler, function="acme-dev-fn-x")
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        (name,) = archive.namelist()
        source = archive.read(name).decode()
    assert name == file
    assert handler.rpartition(".")[2] in source and "503" in source and "acme-dev-fn-x" in source


def test_terraform_validate(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    build(stack, api_config(cors_allow_origins=("https://app.example.jp",)), access={"items": ITEMS_ACCESS})
    synth_and_validate(app, "module", tmp_path, terraform_env)


def test_code_bucket_name_fits_for_the_longest_project_and_environment() -> None:
    from config.names import lambda_code_bucket_name

    longest = lambda_code_bucket_name(f"{'a' * 32}-prod", "1" * 12)
    assert len(longest) == 62 and longest.endswith("-lambda-code-111111111111")
