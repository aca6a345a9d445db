"""Synthesize Terraform JSON for the platform described in environments.toml.

The only module that reads the config file or the process environment; everything else receives typed config.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from tools.kernel_start import start_early_for_main

if __name__ == "__main__":  # Node boots and loads the assemblies while Python imports the config code below
    start_early_for_main(sys.argv[1:])

from config import ConfigError, PlatformConfig, load_config
from config.models import ENVIRONMENT_NAMES
from config.source import decode_config
from tools.jsii_env import jsii_node_environment

if TYPE_CHECKING:
    from tools.workflows import WorkflowStack

CONFIG_VARIABLE = "PLATFORM_CONFIG"
ENVIRONMENTS_VARIABLE = "PLATFORM_ENVIRONMENTS"
OUTDIR_VARIABLE = "CDKTF_OUTDIR"
DEFAULT_CONFIG = "environments.toml"
DEFAULT_OUTDIR = "cdktf.out"
PROJECT_DIR = Path(__file__).resolve().parent

MANIFEST = "manifest.json"
STACKS = "stacks"
SYNTH_ENTRIES = frozenset({MANIFEST, STACKS})
"""Everything a synth writes at the top of its output folder (cdktf's manifest and one folder per stack)."""

EXIT_USAGE = 2
WORKFLOWS_COMMAND = "workflows"
TYPE_CHECKS_VARIABLE = "PLATFORM_TYPE_CHECKS"
"""Set to 1 to keep the jsii bindings' runtime argument checks on (modules/binding_checks.py); tests always do."""
COST_COMMAND = "cost"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class OutdirError(Exception):
    """The output folder cannot be written or must not be replaced; the message names the path and why."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException like KeyboardInterrupt, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    """Command-line options; each falls back to an environment variable because `cdktf synth` passes none."""
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Synthesize one Terraform stack per environment (plus the state-backend bootstrap stack) "
        "from environments.toml into cdktf.out/stacks/.",
        epilog=f"Environment variables (used when the option is not given, e.g. under `cdktf synth`): "
        f"{CONFIG_VARIABLE}=FILE, {ENVIRONMENTS_VARIABLE}=dev,prod. The output folder holds exactly "
        f"the stacks of the last successful run; a failed or interrupted run leaves the previous output "
        f"untouched. Only an empty folder or one a previous synth wrote (manifest.json and stacks/, nothing "
        f"else) is ever replaced. {TYPE_CHECKS_VARIABLE}=1 keeps the jsii bindings' runtime argument checks on "
        f"(slower; the output is the same).",
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
        help=f"output folder (default: ${OUTDIR_VARIABLE}, set by the cdktf CLI, or {DEFAULT_OUTDIR})",
    )
    args = parser.parse_args(argv)
    args.out_option = "--out"
    if args.out is None:
        args.out = environ.get(OUTDIR_VARIABLE, DEFAULT_OUTDIR)
        args.out_option = f"${OUTDIR_VARIABLE}" if OUTDIR_VARIABLE in environ else "the default output folder"
    if args.environments is None and environ.get(ENVIRONMENTS_VARIABLE):
        args.environments = [name.strip() for name in environ[ENVIRONMENTS_VARIABLE].split(",") if name.strip()]
    return args


def select_environments(config: PlatformConfig, requested: Sequence[str] | None) -> list[str]:
    """The requested environments in promotion order; all declared ones when none are requested."""
    if not requested:
        return list(config.environment_names)
    return [name for name in config.environment_names if name in requested]


def check_outdir(out: str, *, option: str = "--out", protected: Mapping[str, Path] | None = None) -> Path:
    """The absolute output folder, if a synth may replace it; OutdirError naming the path and why otherwise.

    Only inspects the file system. Refused: an empty name, a folder that is or contains one of `protected`
    (label -> folder; the filesystem root contains them all), a file, a path below a file, and an existing folder
    that is neither empty nor a previous synth's output (see `foreign_content`).
    """
    if not out.strip():
        raise OutdirError(f"{option} is empty ({out!r}); name a dedicated output folder such as {DEFAULT_OUTDIR}")
    outdir = Path(out).resolve()
    shown = out if out == str(outdir) else f"{out} ({outdir})"
    for label, folder in (protected or {}).items():
        place = folder.resolve()
        if outdir == place or outdir in place.parents:
            relation = "is" if outdir == place else f"contains {place},"
            raise OutdirError(
                f"output folder {shown} {relation} {label}; a synth replaces its output folder, so name a "
                f"dedicated one such as {DEFAULT_OUTDIR}"
            )
    if outdir.exists():
        if not outdir.is_dir():
            raise OutdirError(f"output folder {shown} is a file, not a folder; name another --out")
        reason = foreign_content(outdir)
        if reason:
            raise OutdirError(
                f"output folder {shown} {reason}; a synth only replaces an empty folder or one it wrote "
                f"(manifest.json and stacks/), so move it or name another --out"
            )
        return outdir
    ancestor = outdir.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutdirError(f"cannot create output folder {shown}: {ancestor} is a file")
    return outdir


def foreign_content(folder: Path) -> str | None:
    """Why `folder` is not a synth's output (None when it is empty or one): a synth replaces it as a whole.

    A synth's output holds cdktf's manifest.json (a `version` and a `stacks` map whose entries name their files)
    and stacks/, nothing else; Terraform state inside a stack folder would be lost with it.
    """
    try:
        entries = sorted(entry.name for entry in folder.iterdir())
        if not entries:
            return None
        foreign = [name for name in entries if name not in SYNTH_ENTRIES]
        if foreign:
            return f"holds {', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}, which a synth never writes"
        if MANIFEST not in entries:
            return f"is not empty and holds no {MANIFEST}"
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        state = sorted([*folder.glob(f"{STACKS}/*/*.tfstate"), *folder.glob(f"{STACKS}/*/*.tfstate.backup")])
    except (OSError, ValueError) as error:
        return f"cannot be checked ({getattr(error, 'strerror', None) or error})"
    if not _is_cdktf_manifest(manifest):
        return f"holds a {MANIFEST} that is not cdktf's (a version and a stacks map)"
    return f"holds Terraform state {state[0].relative_to(folder)}, which a synth would delete" if state else None


def _is_cdktf_manifest(manifest: object) -> bool:
    """cdktf's manifest shape: a version string and a map of stacks, each naming its synthesized file."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), str):
        return False
    stacks = manifest.get("stacks")
    return isinstance(stacks, dict) and all(
        isinstance(stack, dict) and isinstance(stack.get("synthesizedStackPath"), str) for stack in stacks.values()
    )


def synthesize(
    config: PlatformConfig,
    environments: Sequence[str],
    outdir: Path,
    *,
    project_dir: Path = PROJECT_DIR,
    protected: Mapping[str, Path] | None = None,
    leave_removed_stacks: bool = False,
    type_checks: bool = True,
) -> list[StackSummary]:
    """Synthesize into a fresh folder beside `outdir`, then swap it in, so a failure never damages the old output.

    Bootstrap keeps its local state in `project_dir`. The staging folder is a sibling of `outdir`, so relative
    paths written into the JSON (that state file) are the same as if the stacks had been written to `outdir`.
    `outdir` must pass `check_outdir` (OutdirError otherwise, raised before jsii is loaded). With
    `leave_removed_stacks`, a stack folder of the previous output that this run does not write is left behind
    empty, for the cdktf CLI to remove: it lists stacks/ before running the app and deletes those folders itself.
    Without `type_checks` the jsii bindings skip their runtime argument checks (modules/binding_checks.py); the
    output is the same. Attribute reads always go through modules/attribute_reads.py (one jsii round trip per
    resource attribute, not one per use) and structs through modules/struct_values.py (only the values given are
    sent); the output is the same.
    """
    places = {"the project folder": project_dir, "the current folder": Path.cwd(), **(protected or {})}
    outdir = check_outdir(str(outdir), protected=places)
    created = [folder for folder in (outdir.parent, *outdir.parent.parents) if not folder.exists()]
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would make the output private to this user
    except OSError as error:
        _remove_empty(created)
        where = Path(error.filename).parent if error.filename else outdir.parent
        raise OutdirError(
            f"cannot write output folder {outdir}: cannot create a folder in {where}: {error.strerror}"
        ) from None
    retired: Path | None = None
    try:
        from modules.attribute_reads import cached_attribute_reads
        from modules.binding_checks import unchecked_bindings
        from modules.struct_values import struct_values_only
        from stacks.app import build_app  # imported after all checks: bad input fails fast, without loading jsii

        checks = contextlib.nullcontext() if type_checks else unchecked_bindings()
        with cached_attribute_reads(), struct_values_only(), checks:
            build_app(config, environments, str(staging), str(project_dir)).synth()
        summary = stack_summaries(staging)
        check_outdir(str(outdir), protected=places)  # again: the synth took a while, the folder may have changed
        previous = sorted(path.name for path in (outdir / STACKS).glob("*") if path.is_dir())
        if outdir.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".old", dir=outdir.parent))
        with _signals_held():  # the two renames happen together or not at all
            if retired is not None:
                outdir.rename(retired / outdir.name)
            try:
                staging.rename(outdir)
            except OSError:
                if retired is not None:
                    (retired / outdir.name).rename(outdir)
                raise
            created.clear()
        if leave_removed_stacks:
            for name in set(previous) - {stack.name for stack in summary}:
                (outdir / STACKS / name).mkdir(exist_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
        _remove_empty(created)
    return [replace(stack, folder=outdir / STACKS / stack.name) for stack in summary]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove the folders this run created for the output (innermost first), as far as they are still empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT and SIGTERM to the end of the block: it runs to completion, then the signal takes effect.

    Recorded by a handler rather than masked: a mask holds one thread only, and the kernel may hand the signal to
    another (jsii's stderr reader), after which Python would still run the handler in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread handles signals
        yield
        return
    pending: list[int] = []

    def record(signum: int, _frame: FrameType | None) -> None:
        pending.append(signum)

    try:
        with _stop_signals_handled_by(record):
            yield
    finally:
        if pending:
            signal.raise_signal(pending[0])


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """Turn the first SIGINT/SIGTERM into `Interrupted` (so cleanup runs) and ignore any further ones."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        raise Interrupted(signum)

    with _stop_signals_handled_by(stop):
        yield


@contextlib.contextmanager
def _stop_signals_handled_by(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """SIGINT and SIGTERM go to `handler` inside the block; the previous handlers come back after it."""
    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@dataclass(frozen=True)
class StackSummary:
    """One synthesized stack as the summary prints it."""

    name: str
    resources: int
    folder: Path
    after: tuple[str, ...]
    """The stacks this one reads (cdktf cross-stack references): they are applied before it."""


def stack_summaries(outdir: Path) -> list[StackSummary]:
    """Every stack of a synthesized folder in apply order: bootstrap, then each environment, layer after layer."""
    from stacks.order import apply_order  # after the synth: importing stacks starts jsii

    manifest = json.loads((outdir / MANIFEST).read_text())
    stacks = manifest["stacks"]
    after = {name: tuple(stack.get("dependencies", ())) for name, stack in stacks.items()}
    order = apply_order(after, ENVIRONMENT_NAMES)
    summaries = []
    for name in order:
        document = json.loads((outdir / stacks[name]["synthesizedStackPath"]).read_text())
        count = sum(len(resources) for resources in document.get("resource", {}).values())
        summaries.append(StackSummary(name, count, outdir / STACKS / name, tuple(sorted(after[name], key=order.index))))
    return summaries


def resource_counts(outdir: Path) -> list[tuple[str, int]]:
    """(stack, number of resources) for every stack of a synthesized folder, in apply order."""
    return [(summary.name, summary.resources) for summary in stack_summaries(outdir)]


def _under_cdktf_cli(environ: Mapping[str, str]) -> bool:
    """Whether the cdktf CLI runs this app (`cdktf synth/diff/deploy`): it sets the outdir and context variables."""
    return OUTDIR_VARIABLE in environ and "CDKTF_CONTEXT_JSON" in environ


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == WORKFLOWS_COMMAND:  # `cdktf synth` runs main.py with no arguments: that stays the synth
        return workflows_main(argv[1:], environ)
    if argv and argv[0] == COST_COMMAND:
        from tools.cost import cost_main  # lazily, like workflows: the synth never loads it

        return cost_main(argv[1:], environ, synthesize=synthesize)
    if argv and argv[0] == "diagram":  # imported lazily, like workflows: the synth never loads it
        from tools.diagram_command import diagram_main

        return diagram_main(argv[1:], environ)
    args = parse_args(argv, environ)
    with _signals_as_exceptions():
        try:
            return _run(args, environ)
        except OutdirError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_USAGE
        except Interrupted as stop:
            name = signal.Signals(stop.signum).name
            print(
                f"error: interrupted by {name}; {args.out} keeps the output of the last complete run", file=sys.stderr
            )
            return 128 + stop.signum


def _run(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    config_path = Path(args.config)
    cli_prunes = _under_cdktf_cli(environ)
    protected = {"the project folder": PROJECT_DIR, "the current folder": Path.cwd()}
    protected["the folder of the config file"] = config_path.resolve().parent
    outdir = check_outdir(args.out, option=args.out_option, protected=protected)  # before reading anything else
    try:
        data = config_path.read_bytes()
    except OSError as error:
        print(f"error: cannot read config {config_path}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(decode_config(data, source=str(config_path)), source=str(config_path))
    except ConfigError as error:
        problems = error.problems
        print(f"error: {problems[0] if len(problems) == 1 else error}", file=sys.stderr)
        return EXIT_USAGE
    unknown = [name for name in args.environments or [] if name not in config.environment_names]
    if unknown:
        print(
            f"error: {config_path} declares no environment {', '.join(unknown)}; "
            f"declared: {', '.join(config.environment_names)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    environments = select_environments(config, args.environments)

    # Before the jsii kernel starts: the pinned Node, and the preload that loads the provider's JavaScript lazily.
    os.environ.update(jsii_node_environment(environ))
    started = time.perf_counter()
    written = synthesize(
        config,
        environments,
        outdir,
        protected=protected,
        leave_removed_stacks=cli_prunes,
        type_checks=environ.get(TYPE_CHECKS_VARIABLE) == "1",
    )
    elapsed = time.perf_counter() - started

    print(
        f"Synthesized {len(written)} stacks from {config_path} in {elapsed:.1f} s, in apply order (destroy in reverse):"
    )
    width = max(len(stack.name) for stack in written)
    for stack in written:
        after = f"  after {', '.join(stack.after)}" if stack.after else ""
        print(f"  {stack.name:<{width}} {stack.resources:>4} resources  {os.path.relpath(stack.folder)}{after}")
    layered = sorted({stack.name.split("-")[0] for stack in written if stack.after})
    print(
        "Next: apply `bootstrap` once (see README), then `npx cdktf diff <stack>` or "
        f"`cd {os.path.relpath(outdir / STACKS)}/<stack> && terraform init && terraform plan`"
        + (f"; a layered environment's stacks at once with `npx cdktf deploy '{layered[0]}-*'`." if layered else ".")
    )
    return 0


def parse_workflows_args(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    from tools.workflows import DEFAULT_OUT

    parser = argparse.ArgumentParser(
        prog=f"main.py {WORKFLOWS_COMMAND}",
        description="Write the GitHub Actions workflows of the platform (pull request: plan per stack, Checkov, a "
        "plan comment; push to main: apply in order) from a synth of every environment of the config.",
        epilog="Only files this command wrote (first line '# Generated by `python main.py workflows`') are replaced.",
    )
    parser.add_argument(
        "--config",
        default=environ.get(CONFIG_VARIABLE, DEFAULT_CONFIG),
        help=f"platform config file (default: ${CONFIG_VARIABLE} or {DEFAULT_CONFIG})",
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"workflow folder (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files in --out differ from what this command would write",
    )
    return parser.parse_args(argv)


def workflows_main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """`python main.py workflows`: synthesize every environment into a temporary folder, derive the workflows."""
    from tools.workflows import WorkflowsError, check_workflow_dir, render, stale_files, write_workflows

    args = parse_workflows_args(argv, environ)
    config_path = Path(args.config)
    try:  # the output folder first, before reading anything else
        folder = Path(args.out).resolve() if args.check else check_workflow_dir(args.out)
        config = load_config(decode_config(config_path.read_bytes(), source=str(config_path)), source=str(config_path))
    except (WorkflowsError, OSError, ConfigError) as error:
        if isinstance(error, OSError):
            message = f"cannot read config {config_path}: {error.strerror}"
        elif isinstance(error, ConfigError) and len(error.problems) == 1:
            message = str(error.problems[0])
        else:
            message = str(error)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    os.environ.update(jsii_node_environment(environ))
    with tempfile.TemporaryDirectory(prefix="workflows-synth.") as scratch:
        summaries = synthesize(config, config.environment_names, Path(scratch) / DEFAULT_OUTDIR)
        stacks = workflow_stacks(summaries, config)
    files = render(stacks, out=args.out, config=args.config)
    if args.check:
        stale = stale_files(folder, files)
        if stale:
            print(
                f"error: {', '.join(str(folder / name) for name in stale)} differ from the stacks of {config_path}; "
                f"run `python main.py workflows --config {args.config} --out {args.out}` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{folder}: the workflows match the {len(stacks)} stacks of {config_path}")
        return 0
    try:
        written = write_workflows(folder, files)
    except WorkflowsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote {len(written)} workflows for {len(stacks)} stacks (bootstrap is applied by hand):")
    for path in written:
        print(f"  {os.path.relpath(path)}")
    return 0


def workflow_stacks(summaries: Sequence[StackSummary], config: PlatformConfig) -> list[WorkflowStack]:
    """The stacks CI plans and applies, in apply order: all but bootstrap (applied once by hand, local state).

    Apply jobs run in the GitHub environment the environment's deploy roles trust (`delivery.github_environment`),
    else in one named like the environment.
    """
    from tools.workflows import WorkflowStack, environment_of

    stacks = []
    for summary in summaries:
        environment = environment_of(summary.name, config.environment_names)
        if environment is not None:
            delivery = config.environment(environment).delivery
            github = delivery.github_environment if delivery.enabled and delivery.github_environment else ""
            region = _provider_region(summary.folder)
            stacks.append(WorkflowStack(summary.name, environment, summary.after, region, github_environment=github))
    return stacks


def _provider_region(folder: Path) -> str:
    """The region of a synthesized stack's (first, default) AWS provider."""
    document = json.loads((folder / "cdk.tf.json").read_text())
    providers = document["provider"]["aws"]
    return str(next(p for p in providers if "alias" not in p)["region"])


def exit_now(code: int) -> NoReturn:
    """End the process with `code` without tearing the interpreter down, as mypy does by default (`--fast-exit`).

    After a synth, Python's own shutdown frees every object of the build (the jsii reference map, the generated
    binding modules) one by one: ~0.25 s of a ~4 s synth of the reference config, for memory the OS takes back at
    once. The exit handlers still run first (jsii's stops its Node kernel and waits for it) and stdout and stderr
    are flushed; a reader that left turns a clean exit into 141, as the BrokenPipeError path below does.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            code = code or 141
        except (OSError, ValueError):  # a closed or failing stream: nothing more can be told through it
            pass
    os._exit(code)


if __name__ == "__main__":
    try:
        code = main()
    except BrokenPipeError:  # `python main.py | head -1`: the reader left; the output folder is already complete
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes stdout
        code = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left
    if code > 128:  # interrupted: the jsii kernel, cut off mid-request, would print its broken channel on exit
        sys.stderr.flush()
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  (open until the process ends)
    exit_now(code)
