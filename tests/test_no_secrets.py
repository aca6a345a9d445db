"""No secret value in the synthesized JSON: only references to values AWS generates at apply time."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import stack_names

SECRET_KEYS = re.compile(r"(password|secret_string|auth_token|token|value_wo|secret_string_wo|api_key)$", re.I)
"""Attribute names that would carry a secret if they held a literal."""


def walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in walk(value, f"{path}.{key}" if path else key)]
    if isinstance(node, list):
        return [item for index, value in enumerate(node) for item in walk(value, f"{path}[{index}]")]
    return [(path, node)]


def test_secret_attributes_hold_only_references(synthesized: Path) -> None:
    literal = {}
    for stack in stack_names(synthesized):
        document = json.loads((synthesized / "stacks" / stack / "cdk.tf.json").read_text())
        for path, value in walk({key: document.get(key, {}) for key in ("resource", "data", "ephemeral")}):
            leaf = path.rsplit(".", 1)[-1]
            if ".token_validity_units[" in path:
                continue  # Cognito's lifetime units ("hours", "days") of each token, not token values
            if SECRET_KEYS.search(leaf) and isinstance(value, str) and not value.startswith("${"):
                literal[f"{stack}:{path}"] = value
    assert literal == {}


def test_secrets_are_generated_by_aws_and_written_write_only(synthesized: Path) -> None:
    document = json.loads((synthesized / "stacks" / "prod" / "cdk.tf.json").read_text())
    generated = document["ephemeral"]["aws_secretsmanager_random_password"]
    assert len(generated) >= 3  # jwt-secret, api-token, Redis AUTH token
    versions = document["resource"]["aws_secretsmanager_secret_version"].values()
    assert all(
        "secret_string" not in version and version["secret_string_wo"].startswith("${ephemeral.")
        for version in versions
    )
    clusters = document["resource"]["aws_rds_cluster"].values()
    assert all(c["manage_master_user_password"] is True and "master_password" not in c for c in clusters)


def test_outputs_expose_arns_not_values(synthesized: Path) -> None:
    for stack in stack_names(synthesized):
        document = json.loads((synthesized / "stacks" / stack / "cdk.tf.json").read_text())
        for name, output in document.get("output", {}).items():
            assert output.get("description"), f"{stack} output {name} has no description"
            text = json.dumps(output["value"])
            assert "secret_string" not in text and "random_password" not in text, (stack, name)
