"""Skipping the bindings' runtime checks changes nothing but speed, and only inside the synth."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import typeguard
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.vpc import Vpc

from config import PlatformConfig
from modules.binding_checks import unchecked_bindings


def test_synth_without_checks_is_byte_identical(
    tmp_path: Path, synthesized: Path, reference_config: PlatformConfig
) -> None:
    """The `synthesized` fixture runs with the checks on (the default of `main.synthesize`)."""
    from main import synthesize

    written = synthesize(reference_config, reference_config.environment_names, tmp_path / "out", type_checks=False)
    assert {stack.name for stack in written} == {"bootstrap", "dev", "stg", "prod"}
    for stack in written:
        relative = Path("stacks") / stack.name / "cdk.tf.json"
        assert (tmp_path / "out" / relative).read_bytes() == (synthesized / relative).read_bytes(), stack.name


def test_checks_catch_a_wrong_type_outside_and_not_inside() -> None:
    stack = TerraformStack(Testing.app(), "checks")
    with pytest.raises(TypeError, match="cidr_block"):
        Vpc(stack, "checked", cidr_block=10)
    with unchecked_bindings():
        Vpc(stack, "unchecked", cidr_block="10.0.0.0/16")
    with pytest.raises(TypeError, match="cidr_block"):
        Vpc(stack, "checked-again", cidr_block=10)


def test_patches_are_undone_when_the_block_raises() -> None:
    hints, check = typing.get_type_hints, typeguard.check_type
    with pytest.raises(RuntimeError), unchecked_bindings():
        assert typeguard.check_type is not check
        raise RuntimeError
    assert (typing.get_type_hints, typeguard.check_type) == (hints, check)


def test_only_stub_hints_are_cached() -> None:
    def _typecheckingstub__example(value: int) -> None: ...

    def ordinary(value: int) -> None: ...

    with unchecked_bindings():
        assert typing.get_type_hints(_typecheckingstub__example) is typing.get_type_hints(_typecheckingstub__example)
        assert typing.get_type_hints(ordinary) is not typing.get_type_hints(ordinary)
        assert typing.get_type_hints(ordinary) == {"value": int, "return": type(None)}
