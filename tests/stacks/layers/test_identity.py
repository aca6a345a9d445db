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
