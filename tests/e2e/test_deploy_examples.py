"""End to end on moto server for example configs (examples/<system>/environments.toml): the same run as
tests/e2e/test_deploy.py (bootstrap, environment applied on its S3 backend, re-planned, destroyed), in its own file
so pytest-xdist (`--dist loadfile`) runs it on the other worker beside the reference config's run. Marked `e2e`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.deploy import deploy_replan_destroy

pytestmark = pytest.mark.e2e

EXAMPLES = [
    pytest.param("examples/go-ddd-ca/environments.toml", ("dev",), None, id="go-ddd-ca-dev"),
    pytest.param("examples/todo/environments.toml", ("dev",), None, id="todo-dev"),
]
"""(config file, environments in apply order, the one deployed through `cdktf deploy` or None: plain terraform)."""


@pytest.mark.parametrize(("config_file", "environments", "through_cdktf"), EXAMPLES)
def test_example_deploy_replan_destroy(
    config_file: str,
    environments: tuple[str, ...],
    through_cdktf: str | None,
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> None:
    deploy_replan_destroy(config_file, environments, through_cdktf, tmp_path, terraform_env)
