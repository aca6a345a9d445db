"""Read each attribute of a provider resource through jsii once per synth instead of once per use.

Every `resource.arn`, `resource.id` or `subnet.id` in the generated bindings is a `jsii.get` round trip to the Node
kernel, which answers with a fresh token (`${TfToken[TOKEN.n]}`) that resolves to the same Terraform reference
(`${aws_s3_bucket.x.arn}`) as every earlier answer. The reference config reads ~1,700 properties this way, a
third of all round trips of its build phase. Within `cached_attribute_reads()` the first answer per object and
property is kept and handed out again.

What may be kept: a property read on an object of the AWS provider bindings (resources, data sources and their
block references), except those whose value can change while the app is built:
- `<name>Input` and `internalValue`, which return what was configured so far rather than a reference;
- anything on an object after a `jsii.set` or `jsii.invoke` on that same object (a setter, `put<Block>`,
  `reset<Attr>`, `addOverride`): its entries are dropped, so the next read asks the kernel again.
Reads on cdktf's own classes (stacks, outputs, the construct tree) always go to the kernel.

The output does not depend on it: tests/modules/test_attribute_reads.py synthesizes the reference config and the
layered bookmark-manager example with and without the cache and compares the JSON byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsii

PROVIDER_MODULE = "cdktf_cdktf_provider_aws."
"""Prefix of the module of every class the cache applies to (the generated AWS provider bindings)."""

UNCACHED_SUFFIXES = ("Input", "internalValue")
"""jsii property names that return the configured value, which a later setter or `put<Block>` changes."""


def cacheable(obj: object, name: str) -> bool:
    """Whether a read of `name` on `obj` may be answered from the cache (see the module docstring)."""
    return type(obj).__module__.startswith(PROVIDER_MODULE) and not name.endswith(UNCACHED_SUFFIXES)


@contextmanager
def cached_attribute_reads() -> Iterator[dict[int, tuple[object, dict[str, Any]]]]:
    """Within the block, `jsii.get` answers a repeated cacheable read from the first answer.

    Yields the cache (object id -> (object, {property: value})) so a test can see what it holds. The object is
    kept in its entry, so its id cannot be reused by another object while the block runs. `jsii.get`, `jsii.set`
    and `jsii.invoke` are restored on exit, also when the block raises.
    """
    original_get, original_set, original_invoke = jsii.get, jsii.set, jsii.invoke
    cache: dict[int, tuple[object, dict[str, Any]]] = {}

    def get(obj: Any, property: str) -> Any:
        if not cacheable(obj, property):
            return original_get(obj, property)
        entry = cache.get(id(obj))
        if entry is None:
            entry = cache[id(obj)] = (obj, {})
        values = entry[1]
        if property not in values:
            values[property] = original_get(obj, property)
        return values[property]

    def set_(obj: Any, property: str, value: Any) -> None:
        cache.pop(id(obj), None)
        original_set(obj, property, value)

    def invoke(obj: Any, method: str, args: Any = None) -> Any:
        cache.pop(id(obj), None)
        return original_invoke(obj, method, args)

    jsii.get, jsii.set, jsii.invoke = get, set_, invoke
    try:
        yield cache
    finally:
        jsii.get, jsii.set, jsii.invoke = original_get, original_set, original_invoke
