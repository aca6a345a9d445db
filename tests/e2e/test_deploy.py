"""End to end on moto server: bootstrap, then each environment of a config applied on the S3 backend and lock table
bootstrap created, re-planned, and destroyed in reverse order, all on one moto server. The reference config's dev
goes through `cdktf deploy`, its prod through plain `terraform`, so both paths are proven. What the emulator cannot
do is in tests/e2e/profile.py; anything else that fails, or changes on the re-plan, fails the test. Marked `e2e`:
`pytest -m 'not e2e'` skips it locally.

Add a config by appending to DEPLOYMENTS (path relative to the project, environments in apply order).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.deploy import deploy_replan_destroy

pytestmark = pytest.mark.e2e

DEPLOYMENTS = [
    pytest.param("environments.toml", ("dev", "prod"), "dev", id="reference-dev-prod"),
]
"""(config file, environments in apply order, the one deployed through `cdktf deploy` or None: plain terraform)."""


@pytest.mark.parametrize(("config_file", "environments", "through_cdktf"), DEPLOYMENTS)
def test_deploy_replan_destroy(
    config_file: str,
    environments: tuple[str, ...],
    through_cdktf: str | None,
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> None:
    deploy_replan_destroy(config_file, environments, through_cdktf, tmp_path, terraform_env)
