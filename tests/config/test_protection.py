"""Protected environments: prod by default; unsafe database and ALB settings refused unless acknowledged."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from config import ConfigError, PlatformConfig, build_config
from config.loader import deep_merge
from config.protection import MIN_PROTECTED_BACKUP_DAYS
from main import main
from tests.conftest import REFERENCE_CONFIG, Json

CARELESS_PROD: Json = {
    "database": {"deletion_protection": False, "skip_final_snapshot": True, "backup_retention_days": 1},
    "load_balancer": {"deletion_protection": False},
}
"""The dangerous prod of the issue: unprotected database, no final snapshot, one backup day, unprotected ALB."""

KEYS = (
    "database.deletion_protection",
    "database.skip_final_snapshot",
    "database.backup_retention_days",
    "load_balancer.deletion_protection",
)


def problems(reference_document: Json, override: Json) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")
    return [str(problem) for problem in caught.value.problems]


def test_prod_is_protected_by_default_and_the_others_are_not(reference_config: PlatformConfig) -> None:
    assert [(env.name, env.protected) for env in reference_config.environments] == [
        ("dev", False),
        ("stg", False),
        ("prod", True),
    ]


def test_careless_prod_is_refused_one_problem_per_key(reference_document: Json) -> None:
    found = problems(reference_document, {"environments": {"prod": CARELESS_PROD}})
    assert len(found) == 4
    for key in KEYS:
        (problem,) = [line for line in found if f"environments.prod.{key}:" in line]
        assert problem.startswith(f"environments.toml [prod] environments.prod.{key}: ")
        assert "refused in protected environment prod" in problem
        assert f'protection.allow = ["{key}"] in [environments.prod]' in problem
    backup = next(line for line in found if "backup_retention_days" in line)
    assert f"1 is below the {MIN_PROTECTED_BACKUP_DAYS}-day point-in-time recovery floor" in backup


def test_each_acknowledged_key_is_accepted_and_only_that_one(reference_document: Json) -> None:
    override = {"environments": {"prod": {**CARELESS_PROD, "protection": {"allow": list(KEYS[:2])}}}}
    found = problems(reference_document, override)
    assert [key for key in KEYS if any(key in line for line in found)] == list(KEYS[2:])
    everything = {"environments": {"prod": {**CARELESS_PROD, "protection": {"allow": list(KEYS)}}}}
    config = build_config(deep_merge(copy.deepcopy(reference_document), everything), "environments.toml")
    assert config.environment("prod").database.skip_final_snapshot is True


def test_backup_floor_is_seven_days(reference_document: Json) -> None:
    seven = {"environments": {"prod": {"database": {"backup_retention_days": 7}}}}
    assert build_config(deep_merge(copy.deepcopy(reference_document), seven), "t").environment("prod")
    six = {"environments": {"prod": {"database": {"backup_retention_days": 6}}}}
    (problem,) = problems(reference_document, six)
    assert "environments.prod.database.backup_retention_days: 6 is below the 7-day" in problem


def test_any_environment_can_be_protected(reference_document: Json) -> None:
    # stg's reference settings (no deletion protection, no final snapshot) become refused once it is protected
    found = problems(reference_document, {"environments": {"stg": {"protection": {"enabled": True}}}})
    assert sorted(line.split(": ", 1)[0] for line in found) == [
        "environments.toml [stg] defaults.load_balancer.deletion_protection",  # written in [defaults.load_balancer]
        "environments.toml [stg] environments.stg.database.deletion_protection",
        "environments.toml [stg] environments.stg.database.skip_final_snapshot",
    ]


def test_unsafe_default_is_reported_where_it_is_written(reference_document: Json) -> None:
    (problem,) = problems(reference_document, {"defaults": {"database": {"skip_final_snapshot": True}}})
    # dev and stg are not protected; prod inherits the default, and the message names the key in [defaults]
    assert problem.startswith("environments.toml [prod] defaults.database.skip_final_snapshot: true deletes")


def test_protection_can_be_turned_off_explicitly(reference_document: Json) -> None:
    override = {"environments": {"prod": {**CARELESS_PROD, "protection": {"enabled": False}}}}
    config = build_config(deep_merge(copy.deepcopy(reference_document), override), "environments.toml")
    assert config.environment("prod").protected is False


def test_unknown_acknowledgement_lists_the_keys(reference_document: Json) -> None:
    (problem,) = problems(reference_document, {"environments": {"prod": {"protection": {"allow": ["database"]}}}})
    assert "environments.prod.protection.allow[0]" in problem
    assert all(key in problem for key in KEYS)


def test_careless_prod_exits_2_naming_each_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference_document: Json
) -> None:
    text = REFERENCE_CONFIG.read_text()
    text = text.replace("[environments.prod.database]\n", "[environments.prod.database]\nskip_final_snapshot = true\n")
    assert tomllib.loads(text)["environments"]["prod"]["database"]["skip_final_snapshot"] is True
    path = tmp_path / "environments.toml"
    path.write_text(text)
    assert main(["--config", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "[prod] environments.prod.database.skip_final_snapshot: true deletes the database" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
