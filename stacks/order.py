"""The names of an environment's states and the order stacks are applied in (pure: no cdktf, read by main.py).

Bootstrap stacks come first (they create the backend every other stack keeps state in), then the environments
in promotion order; within an environment kept `per_layer`, a layer's stack comes after every stack it reads
(cdktf records those as stack dependencies in the manifest) and otherwise in the order of `STATE_NAMES`.
Destroy runs in the reverse order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, get_args

PLATFORM = "platform"
"""The state name of the one stack of a `per_environment` environment (key `{project}/{env}/platform.tfstate`)."""

StateName = Literal[
    "encryption",
    "registry",
    "audit",
    "storage",
    "network",
    "security",
    "data",
    "secrets",
    "domain",
    "load-balancing",
    "compute",
    "batch",
    "email",
    "identity",
    "api",
    "edge",
    "bastion",
    "delivery",
    "monitoring",
]
"""The states of a `per_layer` environment (stacks `{env}-{state}`), in the order the layers are composed."""

STATE_NAMES: tuple[StateName, ...] = get_args(StateName)

FIRST_DEPLOY: tuple[StateName, ...] = ("encryption", "registry")
"""The states a phased first deploy applies before images are pushed: the registry and the key it encrypts with."""


def apply_order(
    dependencies: Mapping[str, Sequence[str]], environments: Sequence[str], bootstrap: str = "bootstrap"
) -> list[str]:
    """Every stack of `dependencies` (stack -> the stacks it reads) in an order that applies each after its inputs.

    `environments` is the promotion order; a stack `{env}` or `{env}-{state}` belongs to that environment.
    Raises ValueError on a dependency cycle or a dependency on a stack that is not in the mapping.
    """

    def rank(name: str) -> tuple[int, int, str]:
        if name == bootstrap or name.startswith(f"{bootstrap}-"):
            return (0, 0, name)
        for index, environment in enumerate(environments):
            if name == environment:
                return (1 + index, 0, name)
            state = name.removeprefix(f"{environment}-")
            if state != name and state in STATE_NAMES:
                return (1 + index, 1 + STATE_NAMES.index(state), name)
        return (1 + len(environments), 0, name)

    for name, needs in dependencies.items():
        missing = [need for need in needs if need not in dependencies]
        if missing:
            raise ValueError(f"stack {name} depends on {', '.join(missing)}, which is not synthesized")
    order: list[str] = []
    placed: set[str] = set()
    waiting = sorted(dependencies, key=rank)
    while waiting:
        ready = next((name for name in waiting if set(dependencies[name]) <= placed), None)
        if ready is None:
            raise ValueError(f"stack dependencies form a cycle among {', '.join(waiting)}")
        order.append(ready)
        placed.add(ready)
        waiting.remove(ready)
    return order
