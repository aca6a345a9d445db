"""Send a jsii struct to the Node kernel as the values it was given, not as every property it could have.

Each resource's constructor builds a config struct (`S3BucketConfig`, `EcsServiceConfig`, ...) and its blocks are
structs too; jsii's Python runtime serializes a struct by calling the Python getter of every property of its type,
set or not, and sends the unset ones as `null`. A generated getter is `typing.cast(<its annotation>,
self._values.get(name))`, and the annotation (`typing.Optional[typing.Union[...]]`) is rebuilt on every call. For
the reference config that is ~27,600 getter calls for ~2,600 structs, ~0.4 s of the Python side of a synth, for
values that are nearly all unset. Within `struct_values_only()` a struct of the generated bindings is sent as its
`_values`, the dict its constructor filled with the arguments given (keyed by Python name), under the same jsii
names.

The kernel builds the same object either way: its struct deserializer turns a `null` optional property into
`undefined` and leaves undefined keys out (`nullAndOk`, then `mapValues`, in @jsii/kernel's serialization). So
the output does not depend on it: tests/modules/test_attribute_reads.py synthesizes the reference config and a
layered example with and without this and the attribute cache and compares the JSON byte for byte. Objects that
are not structs of the generated bindings (our own classes, or a struct without a plain `_values` dict) take
jsii's own path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsii._kernel as jsii_kernel
from jsii._runtime import python_jsii_mapping

BINDING_MODULES = ("cdktf_cdktf_provider_aws.", "cdktf.", "constructs.")
"""Prefixes of the modules of the generated jsii bindings whose structs keep their arguments in `_values`."""


def struct_values(value: object) -> dict[str, Any] | None:
    """The arguments a generated binding's struct was built with, keyed by Python name; None for anything else."""
    values = getattr(value, "_values", None)
    if type(values) is not dict or not type(value).__module__.startswith(BINDING_MODULES):
        return None
    return values


@contextmanager
def struct_values_only() -> Iterator[None]:
    """Within the block, jsii serializes a generated struct from its `_values`; restored on exit, also on raise."""
    original = jsii_kernel._make_reference_for_native

    def reference_for_native(kernel: jsii_kernel.Kernel, d: Any) -> Any:  # jsii's own parameter names
        values = struct_values(d)
        if values is not None:
            mapping = python_jsii_mapping(d)
            # a struct, as jsii tells it apart from a class (sent by reference), with only properties of its type
            if mapping is not None and values.keys() <= mapping.keys():
                data = {mapping[name]: reference_for_native(kernel, item) for name, item in values.items()}
                return {"$jsii.struct": {"fqn": d.__jsii_type__, "data": data}}
        return original(kernel, d)  # recurses through the module global, so nested structs come back here

    jsii_kernel._make_reference_for_native = reference_for_native
    try:
        yield
    finally:
        jsii_kernel._make_reference_for_native = original
