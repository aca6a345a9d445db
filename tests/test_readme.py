"""Claims of the README about the generated Terraform, read from the README itself and checked on the stacks."""

from __future__ import annotations

import copy
import re

import pytest
from cdktf import Testing

from config import PlatformConfig, build_config
from stacks.platform import PlatformStack
from tests.conftest import PROJECT_DIR, Json, synth_json

README = PROJECT_DIR / "README.md"
CERTIFICATE = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"


def output_table() -> dict[str, set[str]]:
    """The README's outputs table: condition (first cell) -> output names (backticked in the second cell)."""
    text = README.read_text()
    table = text[text.index("Stack outputs, each with a description") :].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    result = {}
    for row in rows:
        condition, outputs = (cell.strip() for cell in row.strip("|").split("|"))
        result[condition] = set(re.findall(r"`([a-z0-9_<>]+)`", outputs))
    return result


def outputs(config: PlatformConfig, environment: str) -> dict[str, Json]:
    app = Testing.app()
    stack = PlatformStack(app, environment, project=config.project, environment=config.environment(environment))
    return dict(synth_json(stack)["output"])


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    found = output_table()
    assert set(found) == {
        "always",
        "`[database] enabled`",
        "`[cache] enabled`",
        "an ALB (a `[load_balancer]` and a web service)",
        "a blue/green service",
        "`[cdn] enabled`",
        "`[domain] enabled`",
        "an enabled `[storage.<name>]` bucket",
        "an enabled `[queues.<name>]` queue",
        "`[batch] enabled`",
        "`[monitoring] alarms`",
        "`[monitoring] dashboard`",
        "`[audit] enabled` (every environment of a `[project] medical` platform)",
        "`[delivery] enabled`",
        "`[security] bastion`",
        "`[email] enabled`",
        "each enabled service `<name>`",
        "`[auth] enabled`",
        "`[api] enabled`",
    }
    return found


def expand(names: set[str], services: list[str]) -> set[str]:
    """`dotenv_<name>` stands for one output per enabled service."""
    return (
        {name.replace("<name>", service) for name in names for service in services}
        if services
        else {name for name in names if "<name>" not in name}
    )


def test_prod_has_exactly_the_listed_outputs(reference_config: PlatformConfig, table: dict[str, set[str]]) -> None:
    produced = outputs(reference_config, "prod")
    services = list(reference_config.environment("prod").enabled_services)
    assert set(produced) == expand(set().union(*table.values()), services)
    assert all(output["description"] for output in produced.values())
    assert not any(output.get("sensitive") for output in produced.values())


def test_conditional_outputs_follow_their_condition(reference_document: Json, table: dict[str, set[str]]) -> None:
    """Prod with every condition off keeps only the `always` row and the ALB; then the ALB goes too."""
    document = copy.deepcopy(reference_document)
    for service in document["defaults"]["services"].values():
        service["secrets"] = {}
        service["environment"] = {}
        service["buckets"] = {}
        service["queues"] = {}
    prod = document["environments"]["prod"]
    prod["services"]["api"]["queues"] = {}
    prod["storage"] = {key: {"enabled": False} for key in document["defaults"]["storage"]}
    prod["queues"] = {key: {"enabled": False} for key in document["defaults"]["queues"]}
    document["defaults"]["batch"]["enabled"] = False  # stg's job runs the api image, disabled below
    prod["database"] = {"enabled": False}
    prod["cache"] = {"enabled": False}
    prod["security"] = {"waf": {"enabled": False}}
    prod["services"]["api"]["deployment"] = {"strategy": "rolling"}
    prod["cdn"] = {"enabled": False}
    prod["domain"] = {"enabled": False}
    prod["load_balancer"]["certificate_arn"] = CERTIFICATE  # no [domain] to issue it
    prod["monitoring"] = {"alarms": False}
    prod["audit"] = {"enabled": False}
    document["defaults"]["monitoring"]["dashboard"] = False
    document["defaults"]["delivery"]["enabled"] = False
    prod["email"] = {"enabled": False}
    services = sorted(
        name for name, service in document["defaults"]["services"].items() if service.get("enabled", True)
    )
    prod["auth"] = {"enabled": False}
    prod["api"] = {"enabled": False}
    conditional = expand(set().union(*(names for condition, names in table.items() if condition != "always")), services)

    produced = set(outputs(build_config(copy.deepcopy(document), "test.toml"), "prod"))
    assert table["always"] <= produced
    assert produced & conditional == {"alb_dns_name", *(f"dotenv_{service}" for service in services)}

    for name in ("web", "api", "realtime"):
        document["defaults"]["services"][name]["enabled"] = False
    produced = set(outputs(build_config(document, "test.toml"), "prod"))
    assert table["always"] <= produced
    assert produced & conditional == {"dotenv_worker"}  # the one service left
    document["defaults"]["services"]["worker"]["enabled"] = False
    produced = set(outputs(build_config(document, "test.toml"), "prod"))
    assert not produced & conditional
