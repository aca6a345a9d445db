"""End to end on moto server for example configs (examples/<system>/environments.toml): the same run as
tests/e2e/test_deploy.py (bootstrap, environment applied on its S3 backend, re-planned, destroyed), in its own file
so pytest-xdist (`--dist loadfile`) runs it on the other worker beside the reference config's run. Marked `e2e`.

The examples deploy side by side, each on its own moto server in its own folder: most of a run is the provider's
waiters sleeping (RDS modifications, S3 lifecycle consistency), so two runs together take little more than the
longer one. Each example's failure is reported under its name; one failing does not stop the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.deploy import deploy_replan_destroy

pytestmark = pytest.mark.e2e

EXAMPLES = {
    "go-ddd-ca-dev": ("examples/go-ddd-ca/environments.toml", ("dev",), None),
    "todo-dev": ("examples/todo/environments.toml", ("dev",), None),
}
"""name -> (config file, environments in apply order, the one deployed through `cdktf deploy` or None: plain
terraform)."""


def test_examples_deploy_replan_destroy_side_by_side(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    with ThreadPoolExecutor(max_workers=len(EXAMPLES)) as pool:
        runs = {}
        for name, (config_file, environments, through_cdktf) in EXAMPLES.items():
            (tmp_path / name).mkdir()
            runs[name] = pool.submit(
                deploy_replan_destroy, config_file, environments, through_cdktf, tmp_path / name, terraform_env
            )
    failures = []
    for name, run in runs.items():
        error = run.exception()
        if error is not None:
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert not failures, "\n\n".join(failures)
