"""Pure: the `.env` text of one app (seed 002 section 1.5), from the values its container is started with.

Plain variables appear with their values (Terraform references resolve at apply); each container secret appears
as `<NAME>_ARN`, the ARN ECS reads it from, never its value. Every value is JSON-quoted, which dotenv parsers
read as a double-quoted string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cdktf import Fn

from modules.tokens import is_unresolved


def dotenv_text(title: str, variables: Mapping[str, str], secret_arns: Mapping[str, str]) -> str:
    """`# title`, then `NAME="value"` per variable and `NAME_ARN="arn"` per secret, sorted by name."""
    entries = {**variables, **{f"{name}_ARN": arn for name, arn in secret_arns.items()}}
    lines = [f"# {title}"]
    for name, value in sorted(entries.items()):
        quoted = Fn.jsonencode(value) if is_unresolved(value) else json.dumps(value)
        lines.append(f"{name}={quoted}")
    return "\n".join(lines) + "\n"
