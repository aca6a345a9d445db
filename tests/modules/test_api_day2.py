"""Day-2 plans of the identity and API resources by the real provider (offline; see test_day2_plans.py): a re-apply
changes nothing, CI's code deploys survive a platform apply, and ordinary setting changes update in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.identity import AuthConfig
from tests.conftest import Json, only, resources
from tests.modules.test_api import api_config, api_json
from tests.modules.test_day2_plans import plan_actions, workdir
from tests.modules.test_identity import auth, pool_json

__all__ = ["workdir"]  # the fixture, shared with test_day2_plans.py


def function(**fields: Any) -> Json:
    config = api_config(functions={"items": fields}, routes={"GET /items": {"function": "items"}})
    return dict(only(api_json(config), "aws_lambda_function"))


def cognito(kind: str, config: AuthConfig | None = None) -> Json:
    document, _ = pool_json(config)
    return dict(only(document, kind))


def test_function_reapply_is_a_no_op(workdir: Path, terraform_env: dict[str, str]) -> None:
    lambda_function = function()
    assert plan_actions(workdir, terraform_env, "aws_lambda_function", lambda_function, lambda_function) == ["no-op"]


def test_a_platform_apply_keeps_the_code_ci_deployed(workdir: Path, terraform_env: dict[str, str]) -> None:
    synthesized = function()
    # what state holds after CI's `update-function-code --s3-key functions/items/3f9c2ab.zip`
    deployed = {**synthesized, "s3_key": "functions/items/3f9c2ab.zip", "source_code_hash": "Zm9v"}
    assert plan_actions(workdir, terraform_env, "aws_lambda_function", deployed, synthesized) == ["no-op"]
    unguarded = {key: value for key, value in synthesized.items() if key != "lifecycle"}
    assert plan_actions(workdir, terraform_env, "aws_lambda_function", deployed, unguarded) == ["update"]


def test_function_settings_update_in_place(workdir: Path, terraform_env: dict[str, str]) -> None:
    before = function()
    for after in (function(memory=512, timeout=20), function(environment={"STAGE": "prod"}), function(vpc=True)):
        assert plan_actions(workdir, terraform_env, "aws_lambda_function", before, after) == ["update"]


def test_user_pool_and_client_reapply_and_change_in_place(workdir: Path, terraform_env: dict[str, str]) -> None:
    pool = cognito("aws_cognito_user_pool")
    assert plan_actions(workdir, terraform_env, "aws_cognito_user_pool", pool, pool) == ["no-op"]
    stricter = cognito("aws_cognito_user_pool", auth(mfa="ON", password_minimum_length=12))
    assert plan_actions(workdir, terraform_env, "aws_cognito_user_pool", pool, stricter) == ["update"]
    client = cognito("aws_cognito_user_pool_client")
    assert plan_actions(workdir, terraform_env, "aws_cognito_user_pool_client", client, client) == ["no-op"]
    changed = cognito(
        "aws_cognito_user_pool_client", auth(callback_urls=("https://new.example.jp/cb",), refresh_token_days=7)
    )
    assert plan_actions(workdir, terraform_env, "aws_cognito_user_pool_client", client, changed) == ["update"]


def test_stage_throttling_changes_in_place(workdir: Path, terraform_env: dict[str, str]) -> None:
    def stage(rate: float) -> Json:
        document = api_json(api_config(throttling_rate_limit=rate))
        (found,) = resources(document, "aws_apigatewayv2_stage").values()
        return dict(found)

    assert plan_actions(workdir, terraform_env, "aws_apigatewayv2_stage", stage(50), stage(50)) == ["no-op"]
    assert plan_actions(workdir, terraform_env, "aws_apigatewayv2_stage", stage(50), stage(200)) == ["update"]
