"""Day-2 changes planned by the real provider (hashicorp/aws 5.100, offline): in place, replaced, or left alone.

Each test takes one resource as a module synthesizes it before and after a config change, writes the "before"
as Terraform state and the "after" as configuration, and reads the actions of `terraform plan -refresh=false`.
No AWS account is involved: the provider only diffs and runs its plan-time logic (CustomizeDiff, ForceNew).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from config.services import ServiceConfig
from tests.conftest import Json, resources
from tests.modules.test_compute import compute_json, service
from tests.modules.test_load_balancer import lb_json

PROVIDER = "registry.terraform.io/hashicorp/aws"
DROPPED = ("depends_on", "//", "provider", "count", "for_each", "lifecycle")


def _run(directory: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args, "-no-color"], cwd=directory, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"terraform {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def _fake(value: Any) -> Any:
    """References to other resources become fixed, well-formed ARNs (the same reference, the same ARN)."""
    if isinstance(value, str) and "${" in value:
        digest = hashlib.sha256(value.encode()).hexdigest()[:8]
        return f"arn:aws:ecs:ap-northeast-1:123456789012:ref/{digest}"
    if isinstance(value, dict):
        return {key: _fake(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fake(item) for item in value]
    return value


def _known(value: Any, unknown: Any, block: Json, name: str = "") -> Any:
    """A planned value with what apply would compute filled in (ids, computed strings, maps), as state holds it.

    `block` is the provider schema of the block holding `name`; nested blocks are filled from their own schema.
    """
    if unknown is True:
        kind = block.get("attributes", {}).get(name, {}).get("type")
        if name == "id" or name.endswith("arn"):
            return f"arn:aws:ecs:ap-northeast-1:123456789012:existing/{name}"
        empty: dict[str, Any] = {"string": "", "number": 0, "bool": False}
        if isinstance(kind, str):
            return empty.get(kind)
        return {} if isinstance(kind, list) and kind[0] == "map" else []
    if isinstance(value, dict) and isinstance(unknown, dict):
        return {key: _known(item, unknown.get(key, False), block, key) for key, item in value.items()} | {
            key: _known(None, True, block, key) for key in unknown if key not in value
        }
    if isinstance(value, list) and isinstance(unknown, list):
        nested = block.get("block_types", {}).get(name, {}).get("block", {})
        return [
            _known(item, unknown[index] if index < len(unknown) else False, nested) for index, item in enumerate(value)
        ]
    return value


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]) -> Path:
    """An initialised directory with the pinned provider and its schema."""
    directory = tmp_path_factory.mktemp("day2")
    (directory / "main.tf.json").write_text(json.dumps(_configuration({})))
    _run(directory, terraform_env, "init", "-input=false", "-backend=false")
    (directory / "schema.json").write_text(_run(directory, terraform_env, "providers", "schema", "-json"))
    return directory


def _configuration(resource: Json) -> Json:
    return {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
        "provider": {
            "aws": {
                "region": "ap-northeast-1",
                "access_key": "AKIAFAKEFAKEFAKEFAKE",
                "secret_key": "not-a-secret",
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "skip_region_validation": True,
            }
        },
        **({"resource": resource} if resource else {}),
    }


def plan_actions(workdir: Path, env: dict[str, str], kind: str, before: Json, after: Json) -> list[str]:
    """The plan's actions for one resource moving from `before` (state) to `after` (configuration)."""
    schema = json.loads((workdir / "schema.json").read_text())["provider_schemas"][PROVIDER]["resource_schemas"][kind]
    old = {key: value for key, value in _fake(before).items() if key not in DROPPED}
    new = {key: value for key, value in _fake(after).items() if key not in DROPPED}
    if "lifecycle" in after:  # lifecycle expressions stay as written (self.*, attribute names)
        new["lifecycle"] = after["lifecycle"]
    # what state holds after creating `before`: the create plan's values with the computed ones filled in
    (workdir / "terraform.tfstate").unlink(missing_ok=True)
    (workdir / "main.tf.json").write_text(json.dumps(_configuration({kind: {"this": old}})))
    _run(workdir, env, "plan", "-refresh=false", "-input=false", "-lock=false", "-out=day2.plan")
    (created,) = json.loads(_run(workdir, env, "show", "-json", "day2.plan"))["resource_changes"]
    attributes = _known(created["change"]["after"], created["change"]["after_unknown"], schema["block"])
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": "day2",
        "outputs": {},
        "resources": [
            {
                "mode": "managed",
                "type": kind,
                "name": "this",
                "provider": f'provider["{PROVIDER}"]',
                "instances": [
                    {
                        "schema_version": schema["version"],
                        "attributes": attributes,
                        # as Terraform records schema-sensitive attributes (else it plans a sensitivity update)
                        "sensitive_attributes": [
                            [{"type": "get_attr", "value": name}]
                            for name, spec in schema["block"]["attributes"].items()
                            if spec.get("sensitive")
                        ],
                    }
                ],
            }
        ],
    }
    (workdir / "terraform.tfstate").write_text(json.dumps(state))
    (workdir / "main.tf.json").write_text(json.dumps(_configuration({kind: {"this": new}})))
    _run(workdir, env, "plan", "-refresh=false", "-input=false", "-lock=false", "-out=day2.plan")
    plan = json.loads(_run(workdir, env, "show", "-json", "day2.plan"))
    (change,) = [change for change in plan["resource_changes"] if change["type"] == kind]
    return list(change["change"]["actions"])


def ecs_service_of(config: ServiceConfig) -> Json:
    (ecs,) = resources(compute_json({"api": config}), "aws_ecs_service").values()
    return dict(ecs)


def test_a_synthesized_service_plans_no_change_on_reapply(workdir: Path, terraform_env: dict[str, str]) -> None:
    ecs = ecs_service_of(service(spot={"enabled": True}))
    assert plan_actions(workdir, terraform_env, "aws_ecs_service", ecs, ecs) == ["no-op"]


def test_a_spot_change_updates_a_rolling_service_in_place(workdir: Path, terraform_env: dict[str, str]) -> None:
    before = ecs_service_of(service(spot={"enabled": False}))
    after = ecs_service_of(service(spot={"enabled": True, "base": 1, "spot_weight": 3}))
    assert plan_actions(workdir, terraform_env, "aws_ecs_service", before, after) == ["update"]
    # the same change without force_new_deployment is what used to happen: delete, then create (an outage)
    unforced = {key: value for key, value in after.items() if key != "force_new_deployment"}
    old = {key: value for key, value in before.items() if key != "force_new_deployment"}
    assert plan_actions(workdir, terraform_env, "aws_ecs_service", old, unforced) == ["delete", "create"]


def test_blue_green_changes_updateservice_refuses_are_not_planned(workdir: Path, terraform_env: dict[str, str]) -> None:
    green = {"deployment": {"strategy": "blue_green"}}
    before = ecs_service_of(service(**green))
    after = ecs_service_of(service(**green, spot={"enabled": True}))
    after["network_configuration"] = {**after["network_configuration"], "subnets": ["subnet-new"]}
    after["platform_version"] = "1.4.0"
    assert plan_actions(workdir, terraform_env, "aws_ecs_service", before, after) == ["no-op"]


def test_a_port_change_creates_the_new_target_group_before_deleting_the_old(
    workdir: Path, terraform_env: dict[str, str]
) -> None:
    def group(port: int) -> Json:
        document, _ = lb_json({"api": service(port=port, routing={"path_patterns": ["/api/*"]})})
        (found,) = resources(document, "aws_lb_target_group").values()
        return dict(found)

    before, after = group(8080), group(9090)
    assert plan_actions(workdir, terraform_env, "aws_lb_target_group", before, after) == ["create", "delete"]
    assert plan_actions(workdir, terraform_env, "aws_lb_target_group", before, before) == ["no-op"]


def test_a_service_follows_its_replaced_target_group_in_place(workdir: Path, terraform_env: dict[str, str]) -> None:
    before = ecs_service_of(service())
    after = {**before, "load_balancer": [{**before["load_balancer"][0], "target_group_arn": "${new.group.arn}"}]}
    assert plan_actions(workdir, terraform_env, "aws_ecs_service", before, after) == ["update"]


def test_a_platform_apply_keeps_the_tag_ci_deployed(workdir: Path, terraform_env: dict[str, str]) -> None:
    from tests.modules.test_registry import deployed_tag_json

    document, _ = deployed_tag_json("IMMUTABLE")
    (parameter,) = resources(document, "aws_ssm_parameter").values()
    written_by_ci = {**parameter, "insecure_value": "3f9c2ab"}
    # without ignore_changes the apply would write "no-image-yet" back: every service to 0 tasks
    assert plan_actions(workdir, terraform_env, "aws_ssm_parameter", written_by_ci, parameter) == ["no-op"]
    unguarded = {key: value for key, value in parameter.items() if key != "lifecycle"}
    assert plan_actions(workdir, terraform_env, "aws_ssm_parameter", written_by_ci, unguarded) == ["update"]
    # an IMMUTABLE repository's deployed tag may not be the moving `latest`: the plan stops with the reason
    with pytest.raises(AssertionError, match="the repository is IMMUTABLE"):
        plan_actions(workdir, terraform_env, "aws_ssm_parameter", {**parameter, "insecure_value": "latest"}, parameter)
