"""Run the generated jsii bindings without their runtime argument checks, for a user's synth.

Every construct and struct constructor in cdktf and the AWS provider bindings begins with an `if __debug__:` block
that calls `typing.get_type_hints` on a stub function and then `typeguard.check_type` for each argument. For the
reference config that is ~4,000 `get_type_hints` and ~54,000 `check_type` calls, about 0.6 s of a ~4.5 s synth:
the stub's hints are recomputed from their string annotations on every call.

These checks catch a Python value of the wrong type handed to a binding: a programming error of this project,
which mypy (strict) checks statically and which the test suite checks at run time, since it synthesizes with
the checks on (the default of `main.synthesize`). So the command line skips them, the way `python -O` would skip
every `if __debug__` block, but scoped to the synth and undone afterwards; `PLATFORM_TYPE_CHECKS=1` turns them
back on. `python -O` itself is no option: with `PYTHONDONTWRITEBYTECODE` set (as on CI machines) it recompiles the
bindings' sources on every run, which costs more than the checks.

The output does not depend on it: tests/test_binding_checks.py proves the synth is byte-identical either way.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typeguard

STUB_PREFIX = "_typecheckingstub__"
"""The name every generated binding gives the function whose annotations describe a constructor's arguments."""


def _skip_check(*_args: object, **_kwargs: object) -> None:
    """`typeguard.check_type` that accepts every value."""


@contextmanager
def unchecked_bindings() -> Iterator[None]:
    """Within the block, bindings skip `check_type` and compute each stub's type hints once.

    Only calls for a binding's stub (no namespaces, no extras) are cached; any other `get_type_hints` call
    (pydantic, attrs, the standard library) passes through unchanged. Both patches are undone on exit, also when
    the block raises, so code running afterwards in the same process (the test suite) gets the checks back.
    """
    original_hints = typing.get_type_hints
    original_check = typeguard.check_type
    cache: dict[Callable[..., Any], dict[str, Any]] = {}

    def stub_type_hints(
        obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False
    ) -> dict[str, Any]:
        is_stub = callable(obj) and getattr(obj, "__name__", "").startswith(STUB_PREFIX)
        if is_stub and globalns is None and localns is None and not include_extras:
            hints = cache.get(obj)
            if hints is None:
                hints = cache[obj] = original_hints(obj)
            return hints
        return original_hints(obj, globalns, localns, include_extras)

    typing.get_type_hints = stub_type_hints
    typeguard.check_type = _skip_check
    try:
        yield
    finally:
        typing.get_type_hints = original_hints
        typeguard.check_type = original_check
