"""`python main.py diagram`: one architecture picture per environment, as SVG and Mermaid, from a synth.

Synthesizes the config into a temporary folder (or reads an existing synth output with `--synth`), merges each
environment's stacks (one, or one per layer) and writes `<env>.svg`, `<env>.mmd` and `<env>.md` (the Mermaid in
a Markdown page) into `--out`. Only files this command wrote (first line carries `MARKER`) are ever replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tools.diagram import Json, build_diagram, load_stack, merge_stacks
from tools.diagram_render import MARKER, render_markdown, render_mermaid, render_svg

DEFAULT_OUT = "diagrams"
EXIT_USAGE = 2
SUFFIXES = (".svg", ".mmd", ".md")

if TYPE_CHECKING:
    from config import PlatformConfig


class DiagramError(Exception):
    """Bad input or an output that cannot be written; the message is one line naming the path or key."""


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    from main import CONFIG_VARIABLE, DEFAULT_CONFIG

    parser = argparse.ArgumentParser(
        prog="main.py diagram",
        description="Draw one architecture picture per environment (SVG, Mermaid, and Markdown embedding the "
        "Mermaid) from the synthesized stacks: VPC and subnets per AZ, ALB routes to services, CloudFront and its "
        "origins, data stores, queues, buckets, and the links security groups allow.",
        epilog="Only files this command wrote are replaced. Output is deterministic: commit it and compare.",
    )
    parser.add_argument(
        "--config",
        default=environ.get(CONFIG_VARIABLE, DEFAULT_CONFIG),
        help=f"platform config file (default: ${CONFIG_VARIABLE} or {DEFAULT_CONFIG})",
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"folder for <env>.svg/.mmd/.md (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--env", dest="environments", action="append", metavar="NAME", help="environment to draw, repeatable"
    )
    parser.add_argument(
        "--synth", metavar="DIR", help="read this synth output (e.g. cdktf.out) instead of synthesizing the config"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files in --out differ from the stacks"
    )
    return parser.parse_args(argv)


def check_out(out: str, environments: Sequence[str]) -> Path:
    """The output folder, if every file this run writes is absent or ours (DiagramError otherwise)."""
    folder = Path(out)
    if not out.strip():
        raise DiagramError("--out is empty; name a folder such as diagrams")
    if folder.exists() and not folder.is_dir():
        raise DiagramError(f"--out {out} is a file, not a folder")
    ancestor = folder.resolve()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise DiagramError(f"cannot create --out {out}: {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise DiagramError(f"cannot write --out {out}: {ancestor} is not writable")
    for environment in environments:
        for suffix in SUFFIXES:
            path = folder / f"{environment}{suffix}"
            if path.is_dir():
                raise DiagramError(f"{path} is a folder; name another --out")
            if path.exists():
                try:
                    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
                except (OSError, UnicodeDecodeError) as error:
                    raise DiagramError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
                if MARKER not in first:
                    raise DiagramError(
                        f"{path} was not written by `python main.py diagram`; move it or name another --out"
                    )
    return folder


def environment_documents(outdir: Path, environments: Sequence[str]) -> dict[str, dict[str, Json]]:
    """Environment -> its stacks' documents (stack -> cdk.tf.json) in a synth output folder."""
    from tools.workflows import environment_of

    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    found: dict[str, dict[str, Json]] = {}
    for stack, entry in sorted(manifest["stacks"].items()):
        environment = environment_of(stack, environments)
        if environment is not None:
            document = load_stack(outdir / entry["synthesizedStackPath"])
            found.setdefault(environment, {})[stack] = document
    return found


def render_files(environment: str, documents: Mapping[str, Json]) -> dict[str, str]:
    """File name -> content of one environment's pictures."""
    diagram = build_diagram(environment, merge_stacks(documents))
    return {
        f"{environment}.svg": render_svg(diagram),
        f"{environment}.mmd": render_mermaid(diagram),
        f"{environment}.md": render_markdown(diagram),
    }


def diagram_main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    try:
        return _run(parse_args(argv, environ), environ)
    except DiagramError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from config import ConfigError, load_config
    from config.models import ENVIRONMENT_NAMES
    from config.source import decode_config

    requested = list(dict.fromkeys(args.environments or []))
    folder = check_out(args.out, requested or ENVIRONMENT_NAMES)  # before reading anything else
    if args.synth:
        synth = Path(args.synth)
        try:
            documents = environment_documents(synth, ENVIRONMENT_NAMES)
        except (OSError, ValueError, KeyError) as error:
            raise DiagramError(
                f"--synth {synth} is not a synth output folder (manifest.json and stacks/): {error}"
            ) from None
        source = f"--synth {synth}"
        declared = [name for name in ENVIRONMENT_NAMES if name in documents]
    else:
        config_path = Path(args.config)
        try:
            config = load_config(
                decode_config(config_path.read_bytes(), source=str(config_path)), source=str(config_path)
            )
        except OSError as error:
            raise DiagramError(f"cannot read config {config_path}: {error.strerror}") from None
        except ConfigError as error:
            raise DiagramError(str(error.problems[0]) if len(error.problems) == 1 else str(error)) from None
        source = str(config_path)
        declared = list(config.environment_names)
    unknown = [name for name in requested if name not in declared]
    if unknown:
        raise DiagramError(f"{source} declares no environment {', '.join(unknown)}; declared: {', '.join(declared)}")
    environments = [name for name in declared if not requested or name in requested]
    if not args.synth:
        documents = _synthesize(config, environments, environ)
    files: dict[str, str] = {}
    for environment in environments:
        files.update(render_files(environment, documents[environment]))
    if args.check:
        stale = [name for name, text in files.items() if not _same(folder / name, text)]
        if stale:
            print(
                f"error: {', '.join(str(folder / name) for name in stale)} differ from the stacks of {source}; "
                f"run `python main.py diagram` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{folder}: the pictures match the stacks of {source}")
        return 0
    written = _write(folder, files)
    count = f"{len(environments)} environment{'s' if len(environments) != 1 else ''}"
    print(f"Drew {count} from the stacks of {source}:")
    for path in written:
        print(f"  {os.path.relpath(path)}")
    return 0


def _synthesize(
    config: PlatformConfig, environments: Sequence[str], environ: Mapping[str, str]
) -> dict[str, dict[str, Json]]:
    from main import DEFAULT_OUTDIR, synthesize
    from tools.jsii_env import jsii_node_environment

    os.environ.update(jsii_node_environment(environ))
    with tempfile.TemporaryDirectory(prefix="diagram-synth.") as scratch:
        outdir = Path(scratch) / DEFAULT_OUTDIR
        synthesize(config, environments, outdir)
        return environment_documents(outdir, environments)


def _same(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except OSError:
        return False


def _write(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write every file through a temporary sibling and a rename, so a reader never sees half a picture."""
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = folder / name
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            try:
                with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                    stream.write(text)
                os.chmod(temporary, 0o666 & ~_umask())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            written.append(path)
    except OSError as error:
        raise DiagramError(f"cannot write {error.filename or folder}: {error.strerror}") from None
    return written


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
