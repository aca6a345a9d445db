"""Synthesize Terraform JSON for the platform described in environments.toml.

The only module that reads the config file or the process environment; everything else receives typed config.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from config import ConfigError, PlatformConfig, load_config
from config.models import ENVIRONMENT_NAMES
from tools.jsii_env import jsii_node_environment

CONFIG_VARIABLE = "PLATFORM_CONFIG"
ENVIRONMENTS_VARIABLE = "PLATFORM_ENVIRONMENTS"
DEFAULT_CONFIG = "environments.toml"
DEFAULT_OUTDIR = "cdktf.out"
PROJECT_DIR = Path(__file__).resolve().parent


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    """Command-line options; each falls back to an environment variable because `cdktf synth` passes none."""
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize one Terraform stack per environment (plus the state-backend bootstrap stack) "
        "from environments.toml into cdktf.out/stacks/.",
        epilog=f"Environment variables (used when the option is not given, e.g. under `cdktf synth`): "
        f"{CONFIG_VARIABLE}=FILE, {ENVIRONMENTS_VARIABLE}=dev,prod. The output folder holds exactly "
        f"the stacks of the last successful run; a failed run leaves the previous output untouched.",
    )
    parser.add_argument(
        "--config",
        default=environ.get(CONFIG_VARIABLE, DEFAULT_CONFIG),
        help=f"platform config file (default: ${CONFIG_VARIABLE} or {DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--env",
        dest="environments",
        action="append",
        choices=ENVIRONMENT_NAMES,
        metavar="NAME",
        help=f"environment to synthesize, repeatable (default: ${ENVIRONMENTS_VARIABLE} or all "
        f"declared); one of {', '.join(ENVIRONMENT_NAMES)}",
    )
    parser.add_argument(
        "--out",
        default=environ.get("CDKTF_OUTDIR", DEFAULT_OUTDIR),
        help=f"output folder (default: $CDKTF_OUTDIR, set by the cdktf CLI, or {DEFAULT_OUTDIR})",
    )
    args = parser.parse_args(argv)
    if args.environments is None and environ.get(ENVIRONMENTS_VARIABLE):
        args.environments = [name.strip() for name in environ[ENVIRONMENTS_VARIABLE].split(",") if name.strip()]
    return args


def select_environments(config: PlatformConfig, requested: Sequence[str] | None) -> list[str]:
    """The requested environments in promotion order; all declared ones when none are requested."""
    if not requested:
        return list(config.environment_names)
    return [name for name in config.environment_names if name in requested]


def synthesize(
    config: PlatformConfig, environments: Sequence[str], outdir: Path, *, project_dir: Path = PROJECT_DIR
) -> list[tuple[str, int, Path]]:
    """Synthesize into a fresh folder beside `outdir`, then swap it in, so a failure never damages the old output.

    Bootstrap keeps its local state in `project_dir`. The staging folder is a sibling of `outdir`, so relative
    paths written into the JSON (that state file) are the same as if the stacks had been written to `outdir`.
    """
    from stacks.app import build_app  # imported after validation: bad input fails fast, without loading jsii

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        build_app(config, environments, str(staging), str(project_dir)).synth()
        summary = resource_counts(staging)
        retired = outdir.with_name(f".{outdir.name}.old")
        shutil.rmtree(retired, ignore_errors=True)
        if outdir.exists():
            outdir.rename(retired)
        staging.rename(outdir)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [(name, count, outdir / "stacks" / name) for name, count in summary]


def resource_counts(outdir: Path) -> list[tuple[str, int]]:
    """(stack, number of resources) for every stack of a synthesized folder, bootstrap first then promotion order."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    summary = []
    for name, stack in sorted(manifest["stacks"].items(), key=lambda item: _stack_order(item[0])):
        document = json.loads((outdir / stack["synthesizedStackPath"]).read_text())
        count = sum(len(resources) for resources in document.get("resource", {}).values())
        summary.append((name, count))
    return summary


def _stack_order(name: str) -> tuple[int, str]:
    """Bootstrap stacks first (they are applied first), then environments in promotion order."""
    if name in ENVIRONMENT_NAMES:
        return (1 + ENVIRONMENT_NAMES.index(name), name)
    return (0, name)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    args = parse_args(sys.argv[1:] if argv is None else argv, environ)
    config_path = Path(args.config)
    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as error:
        print(f"error: cannot read config {config_path}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        config = load_config(text, source=str(config_path))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    unknown = [name for name in args.environments or [] if name not in config.environment_names]
    if unknown:
        print(
            f"error: {config_path} declares no environment {', '.join(unknown)}; "
            f"declared: {', '.join(config.environment_names)}",
            file=sys.stderr,
        )
        return 2
    environments = select_environments(config, args.environments)

    # Before the jsii kernel starts: the pinned Node, and the preload that loads the provider's JavaScript lazily.
    os.environ.update(jsii_node_environment(environ))
    started = time.perf_counter()
    written = synthesize(config, environments, Path(args.out))
    elapsed = time.perf_counter() - started

    print(f"Synthesized {len(written)} stacks from {config_path} in {elapsed:.1f} s:")
    for name, count, folder in written:
        print(f"  {name:<16} {count:>4} resources  {os.path.relpath(folder)}")
    print(
        "Next: apply `bootstrap` once (see README), then `npx cdktf diff <stack>` or "
        "`cd cdktf.out/stacks/<stack> && terraform init && terraform plan`."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
