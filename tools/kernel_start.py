"""Boot the jsii kernel while Python is still importing, instead of when the first binding asks for it.

Without this, a synth waits for Node three times in a row before it builds anything: the kernel process boots
(~0.15 s), then `constructs` and `cdktf` load their assemblies (~0.15 s), then the provider (~0.1 s), each when
Python imports the binding, after main.py has spent ~0.25 s importing and validating the config. `start_early()`
starts the kernel with jsii's own start (minus its wait for Node's hello) and writes the three load requests at
once, so Node boots and loads while Python imports. The first request a binding sends reads the hello (checked
as jsii checks it) and the three early answers off the pipe before its own; each binding's own load request then
finds its assembly loaded (the kernel answers a repeated load from its table) and gets its own answer.

Only `python main.py` for a synth uses it, before main.py imports the config code. When the run ends before any
binding was loaded (bad input, exit 2) the early kernel is killed rather than waited for. Anything unexpected
(an assembly loader that is not the generated shape, a kernel that will not start) makes it do nothing, and jsii
starts the kernel as before, with its own errors.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tools.jsii_env import jsii_node_environment

PACKAGES = ("constructs", "cdktf", "cdktf_cdktf_provider_aws")
"""The Python packages whose assemblies a synth loads, in the order the kernel needs them (dependencies first)."""

ASSEMBLY_LOADER = re.compile(
    r'jsii\.JSIIAssembly\.load\(\s*"(?P<name>[^"]+)",\s*"(?P<version>[^"]+)",\s*__name__\[0:-6\],'
    r'\s*"(?P<tarball>[^"/]+\.jsii\.tgz)",?\s*\)'
)
"""The call every generated `<package>/_jsii/__init__.py` makes to load its assembly."""


class AssemblyLoad(NamedTuple):
    name: str
    version: str
    tarball: Path


def assembly_loads(packages: Sequence[str] = PACKAGES) -> list[AssemblyLoad] | None:
    """The load request each package's bindings will send, read from its `_jsii/__init__.py` without importing it.

    None when a package is missing or its loader is not the generated shape.
    """
    loads = []
    for package in packages:
        spec = importlib.util.find_spec(package)  # a top-level package: found, not executed
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "_jsii"
        try:
            match = ASSEMBLY_LOADER.search((folder / "__init__.py").read_text(encoding="utf-8"))
        except OSError:
            return None
        if match is None or not (folder / match["tarball"]).is_file():
            return None
        loads.append(AssemblyLoad(match["name"], match["version"], folder / match["tarball"]))
    return loads


def wants_synth(argv: Sequence[str]) -> bool:
    """Whether main.py's arguments ask for a synth: options only (a first word that is not an option is one of
    main.py's subcommands, or a mistake argparse refuses), and no --help."""
    return not (argv and not argv[0].startswith("-")) and not any(arg in ("-h", "--help") for arg in argv)


def start_early(environ: MutableMapping[str, str]) -> Any:
    """Start the kernel and send the assembly loads now; return jsii's kernel process, or None if not started.

    `environ` gets the project's Node environment first (tools/jsii_env.py), as main.py gives it before a synth.
    """
    if "jsii" in sys.modules:  # something may have started the kernel already, and read its hello
        return None
    loads = assembly_loads()
    if loads is None:
        return None
    environ.update(jsii_node_environment(environ))
    import jsii
    from jsii._kernel.providers.process import ProcessProvider, _NodeProcess
    from jsii._kernel.types import LoadRequest

    provider = jsii.kernel.provider
    if not isinstance(provider, ProcessProvider):
        return None
    handshake = _NodeProcess.handshake
    _NodeProcess.handshake = lambda self: None  # type: ignore[method-assign]  # read later, by the first request
    try:
        process = provider._process  # jsii's memoized start: Node, its stderr sink, its exit handler
    except Exception:  # jsii starts the kernel again on first use and reports the error itself
        return None
    finally:
        _NodeProcess.handshake = handshake  # type: ignore[method-assign]
    pipe = process._process.stdin
    try:
        for load in loads:
            request = process._serializer.unstructure(LoadRequest(load.name, load.version, str(load.tarball)))
            pipe.write(json.dumps(request).encode("utf-8") + b"\n")
        pipe.flush()
    except OSError:  # Node is gone already: the first request reports it, as it would without the early start
        return process

    def first_send(request: Any, response_type: Any) -> Any:
        del process.send  # every later request goes straight to jsii
        handshake(process)
        for _ in loads:
            process._next_message()  # the early loads' answers; the bindings' own loads get theirs
        return _NodeProcess.send(process, request, response_type)

    process.send = first_send

    def kill_if_unused() -> None:  # registered after jsii's stop, so it runs before it
        if "send" in vars(process):
            process._process.kill()
            with contextlib.suppress(OSError):
                pipe.close()  # jsii's stop then skips its exit message and only reaps the process

    atexit.register(kill_if_unused)
    return process


def start_early_for_main(argv: Sequence[str]) -> None:
    """main.py's hook, run before it imports the config code: start early when the arguments ask for a synth."""
    if wants_synth(argv):
        start_early(os.environ)
