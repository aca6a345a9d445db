"""One stack output as a layer declares it: which state holds it, its name, value and description.

Apart from stacks/layers/outputs.py, which imports every layer, so that a layer can name its outputs at the top.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StackOutput:
    """One `TerraformOutput` of the environment."""

    layer: str
    """The state that holds the value (see stacks/order.py `StateName`): where the output is declared."""
    name: str
    value: object
    description: str
