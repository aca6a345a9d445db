"""The shape of the layers: each returns a frozen dataclass and reads only the output dataclasses of the others."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import typing
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

LAYERS_DIR = PROJECT_DIR / "stacks" / "layers"
LAYERS = sorted(
    path.stem for path in LAYERS_DIR.glob("*.py") if f"def {path.stem}_layer(" in path.read_text(encoding="utf-8")
)
SOURCE_DIRS = ("config", "modules", "stacks")
MAX_LINES = 400
"""No source file above this: past it, pure planning logic or a cohesive sub-construct belongs in its own file."""


def test_every_layer_of_the_composition_root_is_found() -> None:
    assert LAYERS == [
        "account",
        "api",
        "audit",
        "bastion",
        "batch",
        "compute",
        "data",
        "delivery",
        "domain",
        "edge",
        "email",
        "encryption",
        "identity",
        "load_balancing",
        "monitoring",
        "network",
        "registry",
        "secrets",
        "security",
        "storage",
    ]


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_returns_a_frozen_dataclass(layer: str) -> None:
    module = importlib.import_module(f"stacks.layers.{layer}")
    hints = typing.get_type_hints(getattr(module, f"{layer}_layer"))
    returned = [arg for arg in typing.get_args(hints["return"]) if arg is not type(None)] or [hints["return"]]
    (outputs,) = returned
    assert outputs.__name__.endswith("Outputs")
    assert isinstance(outputs, type) and dataclasses.is_dataclass(outputs)
    assert vars(outputs)["__dataclass_params__"].frozen, f"{outputs.__name__} is not frozen"


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_reads_other_layers_only_through_their_outputs(layer: str) -> None:
    """From another layer's file a layer imports its `...Outputs` dataclass, nothing else (no constructs)."""
    tree = ast.parse((LAYERS_DIR / f"{layer}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stacks.layers."):
            other = node.module.removeprefix("stacks.layers.")
            if other in LAYERS:
                assert all(alias.name.endswith("Outputs") for alias in node.names), (layer, other)


def source_files() -> list[Path]:
    return sorted(path for folder in SOURCE_DIRS for path in (PROJECT_DIR / folder).rglob("*.py"))


def test_no_source_file_is_above_the_line_limit() -> None:
    lengths = {
        str(path.relative_to(PROJECT_DIR)): len(path.read_text(encoding="utf-8").splitlines())
        for path in source_files()
    }
    assert lengths, "no source files found"
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}
