"""End to end on moto server: bootstrap, then each environment of a config applied on the S3 backend and lock table
bootstrap created, re-planned, and destroyed in reverse order. The first environment goes through `cdktf deploy`,
the others through plain `terraform`. What the emulator cannot do is in tests/e2e/profile.py; anything else that
fails, or changes on the re-plan, fails the test. Marked `e2e`: `pytest -m 'not e2e'` skips it locally.

Add a config by appending to DEPLOYMENTS (path relative to the project, environments in apply order).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_config
from main import synthesize
from tests.conftest import PROJECT_DIR
from tests.e2e.deploy import (
    Applied,
    apply_stack,
    destroy,
    lift_protection,
    prepare,
    resource_count,
    seed_emulator,
    stack_document,
    state_addresses,
)
from tests.e2e.emulator import aws_call, moto_server
from tests.e2e.profile import swapped_addresses
from tests.terraform import terraform

pytestmark = pytest.mark.e2e

DEPLOYMENTS = [
    pytest.param("environments.toml", ("dev",), "dev", id="reference-dev"),
    pytest.param("environments.toml", ("dev",), None, id="reference-dev-terraform"),
]
"""(config file, environments in apply order, the one deployed through `cdktf deploy` or None: plain terraform)."""

LIST_OBJECTS = """
result = sorted(item["Key"] for item in client("s3").list_objects_v2(Bucket=args[0]).get("Contents", []))
"""


@pytest.mark.parametrize(("config_file", "environments", "through_cdktf"), DEPLOYMENTS)
def test_deploy_replan_destroy(
    config_file: str,
    environments: tuple[str, ...],
    through_cdktf: str | None,
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> None:
    path = PROJECT_DIR / config_file
    config = load_config(path.read_text(), config_file)
    project = tmp_path / "project"
    synthesize(config, list(environments), project / "cdktf.out", project_dir=project)
    stacks = project / "cdktf.out" / "stacks"
    for environment in environments:
        assert [p.name for p in stacks.glob(f"{environment}*")] == [environment], (
            f"{config_file}: {environment} must be one stack (state = per_environment) for this test"
        )
    report: list[Applied] = []
    with moto_server(tmp_path / "moto.log") as endpoint:
        bootstrap = stacks / "bootstrap"
        document = prepare(bootstrap, endpoint, {})
        terraform(bootstrap, terraform_env, "init", "-input=false")
        terraform(bootstrap, terraform_env, "apply", "-auto-approve", "-input=false")
        assert len(state_addresses(bootstrap, terraform_env)) == resource_count(document) - len(
            swapped_addresses("bootstrap", document)
        )
        certificates = seed_emulator(endpoint, [stacks / environment for environment in environments])

        for environment in environments:
            stack = stacks / environment
            document = prepare(stack, endpoint, certificates)
            result = apply_stack(project, stack, terraform_env, through_cdktf=environment == through_cdktf)
            report.append(result)
            print(f"{result.stack}: applied {result.applied}/{result.total} ({result.swapped} swapped) in "
                  f"{result.seconds:.0f}s, re-plan: {result.replan}", flush=True)  # fmt: skip
            assert result.applied == result.total - result.swapped, result
            assert result.replan == "no changes", f"{environment} re-plan: {result.replan}"

        backend = stack_document(stacks / environments[0])["terraform"]["backend"]["s3"]
        state_objects = aws_call(endpoint, LIST_OBJECTS, backend["bucket"])
        for environment in environments:
            key = stack_document(stacks / environment)["terraform"]["backend"]["s3"]["key"]
            assert key in state_objects

        # bootstrap refuses its own destroy while the environments' states are in its bucket
        refused = destroy(bootstrap, terraform_env)
        assert refused.returncode != 0
        assert "Instance cannot be destroyed" in refused.stderr
        assert len(state_addresses(bootstrap, terraform_env)) > 0

        for environment in reversed(environments):
            stack = stacks / environment
            protected = any(
                body.get("lifecycle", {}).get("prevent_destroy")
                for items in stack_document(stack).get("resource", {}).values()
                for body in items.values()
            )
            if protected:
                refused = destroy(stack, terraform_env)
                assert refused.returncode != 0 and "Instance cannot be destroyed" in refused.stderr
                lift_protection(stack, endpoint, terraform_env)
            destroyed = destroy(stack, terraform_env)
            assert destroyed.returncode == 0, destroyed.stdout[-5000:] + destroyed.stderr[-5000:]
            assert state_addresses(stack, terraform_env) == []
