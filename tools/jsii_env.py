"""The environment of the jsii kernel's Node process, composed in one place for main.py, the tests and the benchmark.

The kernel is started (by the first `cdktf` / provider import that needs it) with the variables of the Python
process, so they must be set before that. `jsii_node_environment(environ)` returns only the additions; the caller
applies them (main.py is the only module that writes the process environment).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCAL_NODE = PROJECT_DIR / "node_modules" / ".bin" / "node"
LAZY_PROVIDER_PRELOAD = PROJECT_DIR / "tools" / "lazy-provider-index.js"
BINARY_VERSION_PRELOAD = PROJECT_DIR / "tools" / "binary-version-once.js"
CREATION_STACKS_PRELOAD = PROJECT_DIR / "tools" / "creation-stacks.js"
# jsii's kernel still calls util.isArray; Node 22 would print DEP0044 on every run. Silence only that one.
SILENCE_DEP0044 = "--disable-warning=DEP0044"


def node_option_path(path: Path) -> str:
    """A path as one NODE_OPTIONS word: Node splits NODE_OPTIONS on spaces unless they are in double quotes."""
    escaped = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def require_option(path: Path) -> str:
    return f"--require {node_option_path(path)}"


def jsii_node_environment(environ: Mapping[str, str], *, lazy_provider: bool = True) -> dict[str, str]:
    """Variables to add to `environ` so the jsii kernel runs the project's Node with the project's options.

    - JSII_NODE: the pinned, jsii-supported Node from package.json instead of whatever `node` is on PATH (kept if
      the caller already chose one).
    - NODE_OPTIONS: the caller's options, plus the DEP0044 silencer, the preload that runs `terraform version` once
      per synth rather than once per construct (tools/binary-version-once.js), the one that records tokens'
      creation stacks only on request (tools/creation-stacks.js) and (with `lazy_provider`) the preload
      that loads the provider's JavaScript lazily (tools/lazy-provider-index.js). Options already present are not
      repeated, so applying this twice (the tests, then main.py in a subprocess) changes nothing.
    """
    additions: dict[str, str] = {}
    if LOCAL_NODE.exists() and "JSII_NODE" not in environ:
        additions["JSII_NODE"] = str(LOCAL_NODE)
    current = environ.get("NODE_OPTIONS", "").strip()
    wanted = [SILENCE_DEP0044, require_option(BINARY_VERSION_PRELOAD), require_option(CREATION_STACKS_PRELOAD)]
    if lazy_provider:
        wanted.append(require_option(LAZY_PROVIDER_PRELOAD))
    missing = [option for option in wanted if option not in current]
    if missing:
        additions["NODE_OPTIONS"] = " ".join([current, *missing]).strip()
    return additions
