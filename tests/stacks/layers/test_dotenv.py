"""The `.env` output per app: every plain variable of the container, every secret as its ARN, nothing secret."""

from __future__ import annotations

import json

from cdktf import Testing

from config import PlatformConfig
from stacks.layers.dotenv import dotenv_text
from stacks.platform import PlatformStack
from tests.conftest import resources, synth_json


def test_plain_values_are_json_quoted_and_secrets_become_arn_variables() -> None:
    text = dotenv_text("api", {"PORT": "8080", "GREETING": 'say "hi" # not a comment'}, {"JWT": "arn:x"})
    assert text == '# api\nGREETING="say \\"hi\\" # not a comment"\nJWT_ARN="arn:x"\nPORT="8080"\n'


def test_every_service_gets_its_container_values_and_only_secret_arns(reference_config: PlatformConfig) -> None:
    stack = PlatformStack(
        Testing.app(), "prod", project=reference_config.project, environment=reference_config.environment("prod")
    )
    document = synth_json(stack)
    outputs = document["output"]
    services = reference_config.environment("prod").enabled_services
    assert {name for name in outputs if name.startswith("dotenv_")} == {f"dotenv_{name}" for name in [*services, "spa"]}
    for task in resources(document, "aws_ecs_task_definition").values():
        (container,) = json.loads(task["container_definitions"])
        text = outputs[f"dotenv_{container['name']}"]["value"]
        names = [line.split("=", 1)[0] for line in text.splitlines()[1:]]
        assert sorted(names) == sorted(
            [variable["name"] for variable in container.get("environment", [])]
            + [f"{secret['name']}_ARN" for secret in container.get("secrets", [])]
        )
        for secret in container.get("secrets", []):  # the ARN ECS reads it from, never a value
            (line,) = [line for line in text.splitlines() if line.startswith(f"{secret['name']}_ARN=")]
            assert secret["valueFrom"].removeprefix("${").removesuffix("}") in line
    api = outputs["dotenv_api"]["value"]
    assert "DB_HOST=${jsonencode(aws_rds_cluster." in api
    assert "JWT_SECRET_ARN=${jsonencode(aws_secretsmanager_secret." in api
    assert "\nJWT_SECRET=" not in api and "\nDB_PASSWORD=" not in api
    assert not outputs["dotenv_api"].get("sensitive")


def test_a_disabled_service_has_no_env_file(reference_config: PlatformConfig) -> None:
    stack = PlatformStack(
        Testing.app(), "dev", project=reference_config.project, environment=reference_config.environment("dev")
    )
    outputs = synth_json(stack)["output"]
    assert "dotenv_worker" not in outputs and "dotenv_api" in outputs


def test_the_spa_gets_its_urls_and_cognito_ids_where_there_is_a_cdn(reference_config: PlatformConfig) -> None:
    stg = PlatformStack(
        Testing.app(), "stg", project=reference_config.project, environment=reference_config.environment("stg")
    )
    spa = synth_json(stg)["output"]["dotenv_spa"]["value"]
    names = [line.split("=", 1)[0] for line in spa.splitlines()[1:]]
    assert names == sorted(names)
    assert {"APP_URL", "API_URL", "AWS_REGION", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_DOMAIN"} <= set(
        names
    )
    assert 'APP_URL="https://app-stg.example.jp"' in spa
    assert "COGNITO_CLIENT_ID=${jsonencode(aws_cognito_user_pool_client." in spa
    dev = PlatformStack(
        Testing.app(), "dev", project=reference_config.project, environment=reference_config.environment("dev")
    )
    assert "dotenv_spa" not in synth_json(dev)["output"]  # dev has no CDN
