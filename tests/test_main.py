"""main.py as users run it: options and environment variables, summary, errors, safe output, determinism."""

from __future__ import annotations

import filecmp
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import main
from config import PlatformConfig
from stacks.order import STATE_NAMES
from tests.conftest import LOCAL_NODE, PROJECT_DIR, REFERENCE_CONFIG


def run_main(
    *args: str, env: dict[str, str] | None = None, cwd: Path = PROJECT_DIR
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "main.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def previous_output(folder: Path, stacks: tuple[str, ...] = ("dev",)) -> Path:
    """A folder shaped like a synth's output (cdktf's manifest and stacks/), with recognisable content."""
    manifest = {
        "version": "0.21.0",
        "stacks": {name: {"name": name, "synthesizedStackPath": f"stacks/{name}/cdk.tf.json"} for name in stacks},
    }
    for name in stacks:
        (folder / "stacks" / name).mkdir(parents=True)
        (folder / "stacks" / name / "cdk.tf.json").write_text("previous good output")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path below `folder` (symlinks not followed) with its mode and, for files, its content."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        status = path.lstat()
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        found[str(path.relative_to(folder))] = (status.st_mode, content)
    return found


def test_help_explains_options_and_environment_variables() -> None:
    result = run_main("--help")
    assert result.returncode == 0
    for text in ("--config", "--env", "--out", "PLATFORM_CONFIG", "PLATFORM_ENVIRONMENTS", "dev, stg, prod"):
        assert text in " ".join(result.stdout.split())


def test_options_fall_back_to_environment_variables() -> None:
    environ = {"PLATFORM_CONFIG": "other.toml", "PLATFORM_ENVIRONMENTS": "prod, dev", "CDKTF_OUTDIR": "/x/out"}
    args = main.parse_args([], environ)
    assert (args.config, args.environments, args.out) == ("other.toml", ["prod", "dev"], "/x/out")
    args = main.parse_args(["--config", "a.toml", "--env", "stg", "--out", "o"], environ)
    assert (args.config, args.environments, args.out) == ("a.toml", ["stg"], "o")
    args = main.parse_args([], {})
    assert (args.config, args.environments, args.out) == ("environments.toml", None, "cdktf.out")
    assert main.parse_args(["--out", ""], {}).out == "" and main.parse_args([], {"CDKTF_OUTDIR": ""}).out == ""


def test_environments_are_synthesized_in_promotion_order(reference_config: PlatformConfig) -> None:
    assert main.select_environments(reference_config, ["prod", "dev"]) == ["dev", "prod"]
    assert main.select_environments(reference_config, None) == ["dev", "stg", "prod"]


def test_run_prints_one_line_per_stack_and_the_next_command(tmp_path: Path) -> None:
    result = run_main("--env", "dev", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Synthesized 2 stacks from environments.toml")
    assert lines[0].endswith("in apply order (destroy in reverse):")
    assert lines[1].split()[:3] == ["bootstrap", "11", "resources"]  # with the GitHub OIDC provider
    assert lines[2].split()[0] == "dev" and lines[2].split()[2] == "resources"
    assert lines[2].endswith(os.path.relpath(tmp_path / "out" / "stacks" / "dev"))
    assert lines[-1].startswith("Next: ")
    assert "end-of-life" not in result.stdout + result.stderr  # the pinned Node 22 runs jsii
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == ["bootstrap", "dev"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's private 0700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    """`python main.py | head -1`: the synth completes, and the closed pipe is not reported as a crash."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the summary is printed
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "main.py"), "--env", "dev", "--out", str(tmp_path / "out")],
        cwd=PROJECT_DIR,
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(write)
    assert result.returncode == 141
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert (tmp_path / "out" / "stacks" / "dev" / "cdk.tf.json").is_file()


def test_run_prints_a_layered_environment_in_apply_order(tmp_path: Path) -> None:
    config = tmp_path / "layered.toml"
    config.write_text((PROJECT_DIR / "environments.toml").read_text() + '\n[environments.prod]\nstate = "per_layer"\n')
    result = run_main("--config", str(config), "--env", "prod", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Synthesized {1 + len(STATE_NAMES)} stacks from {config}")  # prod has every layer
    names = [line.split()[0] for line in lines[1:-1]]
    assert names == ["bootstrap", *(f"prod-{state}" for state in STATE_NAMES)]
    assert names[1:3] == ["prod-encryption", "prod-registry"]
    assert "after" not in lines[2]  # the key reads nothing
    assert lines[3].endswith("after prod-encryption")  # the registry: only its key comes first
    compute = lines[names.index("prod-compute") + 1]
    assert compute.endswith(
        "after prod-encryption, prod-registry, prod-storage, prod-network, prod-security, prod-data, prod-secrets, "
        "prod-load-balancing"
    )
    assert "npx cdktf deploy 'prod-*'" in lines[-1]


@pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")
def test_bad_config_exits_nonzero_without_traceback_and_keeps_previous_output(tmp_path: Path) -> None:
    previous = previous_output(tmp_path / "out")
    broken = tmp_path / "broken.toml"
    broken.write_text(REFERENCE_CONFIG.read_text().replace('nat = "per_az"', 'nat = "per-az"'))
    result = run_main("--config", str(broken), "--out", str(previous))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{broken} [prod] environments.prod.network.nat: Input should be 'none', 'single' or 'per_az'" in (
        result.stderr
    )
    assert (previous / "stacks" / "dev" / "cdk.tf.json").read_text() == "previous good output"


def test_missing_config_file_and_undeclared_environment(tmp_path: Path) -> None:
    result = run_main("--config", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "error: cannot read config" in result.stderr
    only_dev = tmp_path / "dev.toml"
    text = REFERENCE_CONFIG.read_text()
    only_dev.write_text(text[: text.index("[environments.stg.network]")])
    result = run_main("--config", str(only_dev), "--env", "prod", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "declares no environment prod; declared: dev" in result.stderr
    result = run_main("--env", "qa")
    assert result.returncode == 2 and "invalid choice: 'qa'" in result.stderr


def test_failed_synthesis_leaves_previous_output_untouched(
    tmp_path: Path, reference_config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = previous_output(tmp_path / "cdktf.out")

    def explode(*_: object) -> None:
        raise RuntimeError("synth failed half way")

    import stacks.app

    monkeypatch.setattr(stacks.app, "build_app", explode)
    with pytest.raises(RuntimeError, match="half way"):
        main.synthesize(reference_config, ["dev"], previous)
    assert (previous / "stacks" / "dev" / "cdk.tf.json").read_text() == "previous good output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]  # no staging folder left behind


def test_output_folder_changed_during_the_synth_is_not_replaced(
    tmp_path: Path, reference_config: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = previous_output(tmp_path / "cdktf.out")
    state = previous / "stacks" / "dev" / "terraform.tfstate"

    class App:  # writes a valid output while the user runs Terraform in the old one
        def __init__(self, staging: str) -> None:
            self.staging = Path(staging)

        def synth(self) -> None:
            (self.staging / "stacks" / "dev").mkdir(parents=True)
            (self.staging / "stacks" / "dev" / "cdk.tf.json").write_text("{}")
            manifest = {"version": "0.21.0", "stacks": {"dev": {"synthesizedStackPath": "stacks/dev/cdk.tf.json"}}}
            (self.staging / "manifest.json").write_text(json.dumps(manifest))
            state.write_text('{"version": 4}')

    import stacks.app

    monkeypatch.setattr(stacks.app, "build_app", lambda _config, _envs, staging, _project: App(staging))
    with pytest.raises(main.OutdirError, match=r"holds Terraform state stacks/dev/terraform\.tfstate"):
        main.synthesize(reference_config, ["dev"], previous)
    assert state.read_text() == '{"version": 4}'
    assert (previous / "stacks" / "dev" / "cdk.tf.json").read_text() == "previous good output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_two_synths_are_byte_identical(tmp_path: Path, reference_config: PlatformConfig, synthesized: Path) -> None:
    second = tmp_path / "cdktf.out"
    shutil.copytree(synthesized, tmp_path / "first")
    main.synthesize(reference_config, reference_config.environment_names, second)
    comparison = filecmp.dircmp(tmp_path / "first", second)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    for stack in ("bootstrap", "dev", "stg", "prod"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (tmp_path / "first" / relative).read_bytes() == (second / relative).read_bytes()


def test_cdktf_cli_synth_matches_main_and_follows_a_shrinking_environment_set(
    tmp_path: Path, synthesized: Path, terraform_env: dict[str, str]
) -> None:
    """The README's `npx cdktf synth` and `PLATFORM_ENVIRONMENTS=dev npx cdktf synth` one after the other.

    The CLI lists stacks/ before running the app and afterwards deletes the folders of stacks that are gone;
    main.py swaps in a whole new output, so it leaves those folders behind, empty, for the CLI to delete.
    """
    cdktf = PROJECT_DIR / "node_modules" / ".bin" / "cdktf"
    if not cdktf.exists():
        pytest.fail("node_modules is missing: run `make install`")
    env = {**terraform_env, **make_exports(), "PATH": f"{cdktf.parent}{os.pathsep}{os.environ['PATH']}"}
    for variable in ("PLATFORM_ENVIRONMENTS", "PLATFORM_CONFIG", "CDKTF_OUTDIR"):
        env.pop(variable, None)
    output = tmp_path / "cli.out"

    def cli_synth(**extra: str) -> str:
        result = subprocess.run(
            [str(cdktf), "synth", "--output", str(output)],
            cwd=PROJECT_DIR,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    log = cli_synth()
    for stack in ("bootstrap", "dev", "stg", "prod"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (output / relative).read_bytes() == (synthesized / relative).read_bytes(), stack
    log += cli_synth(PLATFORM_ENVIRONMENTS="dev")
    assert sorted(json.loads((output / "manifest.json").read_text())["stacks"]) == ["bootstrap", "dev"]
    assert sorted(path.name for path in (output / "stacks").iterdir()) == ["bootstrap", "dev"]
    for stack in ("bootstrap", "dev"):
        relative = Path("stacks") / stack / "cdk.tf.json"
        assert (output / relative).read_bytes() == (synthesized / relative).read_bytes(), stack
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cli.out"]
    assert "[ERROR]" not in log and "ENOENT" not in log  # no telemetry error without internet, no failed prune


def make_exports() -> dict[str, str]:
    """The variables `make` exports to every recipe (`make synth/diff/deploy` run the cdktf CLI with them)."""
    probe = "print-cli-env:\n\t@echo CHECKPOINT_DISABLE=$$CHECKPOINT_DISABLE\n"
    result = subprocess.run(
        ["make", "--no-print-directory", "-f", "Makefile", "-f", "-", "print-cli-env"],
        cwd=PROJECT_DIR,
        input=probe,
        capture_output=True,
        text=True,
        check=True,
    )
    name, _, value = result.stdout.strip().partition("=")
    return {name: value}


def test_make_turns_off_the_cdktf_cli_telemetry() -> None:
    """Only this variable stops the CLI's telemetry call (cdktf.json has no setting); offline it prints [ERROR]."""
    assert make_exports() == {"CHECKPOINT_DISABLE": "1"}


def test_a_plain_synth_with_fewer_environments_drops_the_others(
    tmp_path: Path, reference_config: PlatformConfig
) -> None:
    outdir = previous_output(tmp_path / "cdktf.out", stacks=("bootstrap", "dev", "stg", "prod"))
    main.synthesize(reference_config, ["dev"], outdir)
    assert sorted(json.loads((outdir / "manifest.json").read_text())["stacks"]) == ["bootstrap", "dev"]
    assert sorted(path.name for path in (outdir / "stacks").iterdir()) == ["bootstrap", "dev"]
    main.synthesize(reference_config, ["prod"], outdir, leave_removed_stacks=True)  # as under the cdktf CLI
    assert sorted(path.name for path in (outdir / "stacks").iterdir()) == ["bootstrap", "dev", "prod"]
    assert list((outdir / "stacks" / "dev").iterdir()) == []  # left empty for the CLI to remove


IN_PROCESS = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); import main; code = main.main(sys.argv[1:]); "
    "print('jsii loaded' if 'jsii' in sys.modules else 'jsii not loaded'); sys.exit(code)"
)
"""main.main() in a fresh interpreter, reporting whether it got as far as loading jsii."""


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def careless_out(  # noqa: PLR0911  (one return per case)
    work: Path, case: str
) -> tuple[list[str], dict[str, str], Path, Callable[[], object], str]:
    """(arguments, environment, cwd, what must stay unchanged, expected message) for one careless output folder."""
    config = ["--config", str(REFERENCE_CONFIG)]
    unchanged: Callable[[], object] = lambda: snapshot(work)  # noqa: E731
    if case == "current folder":
        return [*config, "--out", "."], {}, work, unchanged, f"output folder . ({work}) is the current folder;"
    if case == "empty --out":
        return [*config, "--out", ""], {}, work, unchanged, "--out is empty (''); name a dedicated output folder"
    if case == "empty CDKTF_OUTDIR":
        return config, {"CDKTF_OUTDIR": ""}, work, unchanged, "$CDKTF_OUTDIR is empty (''); name a dedicated"
    if case == "project folder":
        expected = f"output folder {PROJECT_DIR} is the project folder;"
        return [*config, "--out", str(PROJECT_DIR)], {}, work, lambda: listing(PROJECT_DIR), expected
    if case == "filesystem root":
        return [*config, "--out", "/"], {}, work, lambda: listing(Path("/")), "output folder / contains "
    if case == "folder above the current one":
        (work / "sub").mkdir()
        expected = f"output folder {work} contains {work / 'sub'}, the current folder;"
        return [*config, "--out", str(work)], {}, work / "sub", unchanged, expected
    if case == "folder of the config file":
        (work / "conf").mkdir()
        shutil.copy(REFERENCE_CONFIG, work / "conf" / "platform.toml")
        expected = f"output folder conf ({work / 'conf'}) is the folder of the config file;"
        return ["--config", "conf/platform.toml", "--out", "conf"], {}, work, unchanged, expected
    if case == "folder of other files":
        (work / "docs").mkdir()
        (work / "docs" / "guide.md").write_text("# guide")
        expected = f"output folder docs ({work / 'docs'}) holds guide.md, which a synth never writes; a synth only"
        return [*config, "--out", "docs"], {}, work, unchanged, expected
    if case == "file":
        (work / "notes.txt").write_text("notes")
        expected = f"output folder notes.txt ({work / 'notes.txt'}) is a file, not a folder"
        return [*config, "--out", "notes.txt"], {}, work, unchanged, expected
    if case == "below a file":
        (work / "notes.txt").write_text("notes")
        expected = (
            f"cannot create output folder notes.txt/out ({work / 'notes.txt/out'}): {work / 'notes.txt'} is a file"
        )
        return [*config, "--out", "notes.txt/out"], {}, work, unchanged, expected
    if case == "foreign manifest.json":
        (work / "web").mkdir()
        (work / "web" / "manifest.json").write_text('{"name": "my web app", "icons": []}')
        expected = "holds a manifest.json that is not cdktf's (a version and a stacks map)"
        return [*config, "--out", "web"], {}, work, unchanged, expected
    if case == "synth output plus a file of the user":
        (previous_output(work / "out") / "plan.txt").write_text("reviewed plan")
        return [*config, "--out", "out"], {}, work, unchanged, "holds plan.txt, which a synth never writes"
    if case == "synth output holding Terraform state":
        (previous_output(work / "out") / "stacks" / "dev" / "terraform.tfstate").write_text("{}")
        expected = "holds Terraform state stacks/dev/terraform.tfstate, which a synth would delete"
        return [*config, "--out", "out"], {}, work, unchanged, expected
    if case == "unwritable parent":
        if os.geteuid() != 0:
            (work / "locked").mkdir(mode=0o555)
            target = work / "locked" / "out"
        else:  # root writes anywhere permissions allow; sysfs refuses new folders even to root
            target = Path("/sys") / f"platform-out-{os.getpid()}"
            try:
                target.mkdir()
            except OSError:
                pass
            else:
                target.rmdir()
                pytest.skip("no folder this user cannot write to")
        expected = f"cannot write output folder {target}: cannot create a folder in {target.parent}:"
        return [*config, "--out", str(target)], {}, work, lambda: listing(target.parent), expected
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "current folder",
        "empty --out",
        "empty CDKTF_OUTDIR",
        "project folder",
        "filesystem root",
        "folder above the current one",
        "folder of the config file",
        "folder of other files",
        "file",
        "below a file",
        "foreign manifest.json",
        "synth output plus a file of the user",
        "synth output holding Terraform state",
        "unwritable parent",
    ],
)
def test_careless_output_folder_is_refused_before_jsii_and_nothing_is_touched(tmp_path: Path, case: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    args, env, cwd, unchanged, expected = careless_out(work, case)
    before = unchanged()
    environ = {key: value for key, value in os.environ.items() if key not in ("CDKTF_OUTDIR", "CDKTF_CONTEXT_JSON")}
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(PROJECT_DIR), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**environ, **env},
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr
    assert result.stdout == "jsii not loaded\n"
    assert unchanged() == before
    if (work / "locked").exists():
        (work / "locked").chmod(0o755)


def test_empty_folder_and_previous_output_are_replaced(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    previous_output(tmp_path / "previous", stacks=("dev", "prod"))
    for name in ("empty", "previous"):
        assert main.check_outdir(str(tmp_path / name)) == tmp_path / name
        assert main.foreign_content(tmp_path / name) is None
    assert main.check_outdir(str(tmp_path / "new" / "deeper")) == tmp_path / "new" / "deeper"


def test_signals_are_held_while_the_outputs_are_swapped() -> None:
    """The rename of the old output and the rename of the new one happen together or not at all."""
    finished = False
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(main.Interrupted) as caught, main._signals_as_exceptions():
        with main._signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            finished = True
        pytest.fail("the held signal was not delivered when the block ended")
    assert finished and caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == handler  # restored


@pytest.mark.skipif(not LOCAL_NODE.exists(), reason="needs the pinned Node from package.json")
@pytest.mark.parametrize(("name", "to_group", "code"), [("SIGINT", True, 130), ("SIGTERM", False, 143)])
def test_interrupted_synth_exits_quietly_and_keeps_previous_output(
    tmp_path: Path, name: str, to_group: bool, code: int
) -> None:
    """Ctrl-C reaches the whole process group (Python and the jsii Node kernel); `kill` or a CI cancel, Python."""
    previous = previous_output(tmp_path / "out")
    before = snapshot(previous)
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "main.py"), "--out", str(previous)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not glob.glob(str(tmp_path / ".out.*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)  # into the jsii import or the synth itself
    number = getattr(signal, name)
    os.killpg(process.pid, number) if to_group else process.send_signal(number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stdout + stderr
    assert stderr == f"error: interrupted by {name}; {previous} keeps the output of the last complete run\n"
    assert stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # no staging or retired folder left
    assert snapshot(previous) == before
    with pytest.raises(ProcessLookupError):  # the jsii kernel ended with it
        os.killpg(process.pid, 0)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("latin-1", "platform.toml:3 is not UTF-8 (byte 0xe9 at column 13; saved as Latin-1?)"),
        ("5,000-deep array", "platform.toml:2 nests arrays or inline tables 5000 levels deep"),
        ("empty file", "platform.toml is empty; a platform config needs [project], [backend]"),
        ("folder", "cannot read config platform.toml: Is a directory"),
    ],
)
def test_unreadable_config_is_one_line_and_exit_2(tmp_path: Path, case: str, expected: str) -> None:
    config = tmp_path / "platform.toml"
    if case == "latin-1":
        config.write_bytes(b'[project]\nname = "demo"\n# owner: Jos\xe9 Garc\xeda\n')
    elif case == "5,000-deep array":
        config.write_text("[project]\nname = " + "[" * 5000 + "]" * 5000 + "\n")
    elif case == "empty file":
        config.write_text("")
    else:
        config.mkdir()
    result = run_main("--config", "platform.toml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {expected}") and result.stderr.count("\n") == 1, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["platform.toml"]


@pytest.mark.parametrize(("value", "checks"), [(None, False), ("1", True), ("0", False)])
def test_the_command_line_skips_binding_checks_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, checks: bool
) -> None:
    """`python main.py` synthesizes without the bindings' runtime checks; PLATFORM_TYPE_CHECKS=1 keeps them."""
    seen: list[bool] = []

    def fake_synthesize(*_args: object, type_checks: bool, **_kwargs: object) -> list[main.StackSummary]:
        seen.append(type_checks)
        return [main.StackSummary("dev", 1, tmp_path, ())]

    monkeypatch.setattr(main, "synthesize", fake_synthesize)
    environ = {} if value is None else {main.TYPE_CHECKS_VARIABLE: value}
    assert main.main(["--env", "dev", "--out", str(tmp_path / "out")], environ) == 0
    assert seen == [checks]


EXIT_NOW = """
import atexit, sys
sys.path.insert(0, sys.argv[1])
import main

class Finalized:
    def __del__(self):
        print("interpreter torn down", flush=True)

KEPT = Finalized()  # a module global: the interpreter's own shutdown would collect it
atexit.register(lambda: print("exit handler ran", end=""))
print("buffered ", end="")
main.exit_now(int(sys.argv[2]))
"""
BUFFERED = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
"""The environment with Python's usual buffering of a piped stdout, which only a flush empties."""


@pytest.mark.parametrize("code", [0, 2, 130])
def test_exit_now_runs_exit_handlers_and_flushes_but_skips_the_teardown(code: int) -> None:
    result = subprocess.run(
        [sys.executable, "-c", EXIT_NOW, str(PROJECT_DIR), str(code)],
        capture_output=True,
        text=True,
        check=False,
        env=BUFFERED,
    )
    assert result.returncode == code, result.stderr
    assert result.stdout == "buffered exit handler ran"  # flushed after the handlers, through a pipe
    assert "torn down" not in result.stdout


def test_a_reader_that_left_makes_a_clean_exit_141() -> None:
    script = EXIT_NOW.replace("main.exit_now(", "sys.stdin.read()\nmain.exit_now(")  # waits for the reader to leave
    with subprocess.Popen(
        [sys.executable, "-c", script, str(PROJECT_DIR), "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=BUFFERED,
    ) as process:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader leaves before the writer flushes
        process.stdin.close()
        stderr = process.stderr.read()
        assert process.wait() == 141, stderr
