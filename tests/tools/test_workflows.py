"""`python main.py workflows`: GitHub's workflow schema, zizmor, job order per stack, and safe writing."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import main
from config import PlatformConfig
from tests.conftest import PROJECT_DIR
from tools import workflows
from tools.workflows import APPLY_FILE, MARKER, PLAN_FILE, WorkflowStack

CI_BIN = PROJECT_DIR / ".venv-ci" / "bin"
needs_ci_tools = pytest.mark.skipif(
    not (CI_BIN / "zizmor").exists() or not (CI_BIN / "check-jsonschema").exists(),
    reason=".venv-ci (check-jsonschema, zizmor) is not installed: run `make install`",
)

Workflow = dict[str, Any]


def load_yaml(path: Path) -> Workflow:
    """The file as GitHub reads it (YAML 1.2 through ruamel, which check-jsonschema uses too)."""
    script = (
        "import json, sys; from ruamel.yaml import YAML; print(json.dumps(YAML(typ='safe').load(open(sys.argv[1]))))"
    )
    result = subprocess.run(
        [str(CI_BIN / "python"), "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    document: Workflow = json.loads(result.stdout)
    return document


def as_read(value: Any) -> Any:
    """A builder's document as a YAML reader sees it: JSON types, and the `# vX.Y.Z` pin comments gone."""
    if isinstance(value, dict):
        return {key: as_read(item).split(" # ")[0] if key == "uses" else as_read(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_read(item) for item in value]
    return json.loads(json.dumps(value))


def stacks_of(outdir: Path, config: PlatformConfig) -> list[WorkflowStack]:
    return main.workflow_stacks(main.stack_summaries(outdir), config)


@pytest.fixture(scope="module", params=["reference", "layered"])
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[WorkflowStack], Path, list[str]]:
    """Both workflows of a config written to a folder: (stacks, folder, every synthesized stack name)."""
    outdir: Path = request.getfixturevalue("synthesized" if request.param == "reference" else "layered_synthesized")
    config: PlatformConfig = request.getfixturevalue(
        "reference_config" if request.param == "reference" else "layered_config"
    )
    stacks = stacks_of(outdir, config)
    folder = tmp_path_factory.mktemp(f"workflows-{request.param}") / ".github" / "workflows"
    workflows.write_workflows(folder, workflows.render(stacks))
    every = [summary.name for summary in main.stack_summaries(outdir)]
    return stacks, folder, every


@needs_ci_tools
def test_workflows_validate_against_githubs_schema(written: tuple[list[WorkflowStack], Path, list[str]]) -> None:
    _, folder, _ = written
    result = subprocess.run(
        [
            str(CI_BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *sorted(folder.glob("*.yml")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_ci_tools
def test_zizmor_finds_nothing_even_pedantic(written: tuple[list[WorkflowStack], Path, list[str]]) -> None:
    _, folder, _ = written
    files = [str(folder / PLAN_FILE), str(folder / APPLY_FILE)]
    result = subprocess.run(
        [str(CI_BIN / "zizmor"), "--offline", "--persona=pedantic", "--format=json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


@needs_ci_tools
def test_the_yaml_is_the_intended_document(written: tuple[list[WorkflowStack], Path, list[str]]) -> None:
    """The small emitter writes what the builders describe (comments aside)."""
    stacks, folder, _ = written
    check = "python main.py workflows --config environments.toml --out .github/workflows --check"
    assert load_yaml(folder / PLAN_FILE) == as_read(workflows.plan_workflow(stacks, check=check))
    assert load_yaml(folder / APPLY_FILE) == as_read(workflows.apply_workflow(stacks))


@needs_ci_tools
def test_apply_jobs_run_in_the_github_environment_of_the_delivery_config(
    written: tuple[list[WorkflowStack], Path, list[str]],
) -> None:
    """The deploy roles trust `repo:<o>/<r>:environment:<name>`: prod's jobs run in "production", as configured."""
    stacks, _, _ = written
    assert {stack.environment: stack.deploys_in for stack in stacks} == {
        "dev": "dev",
        "stg": "stg",
        "prod": "production",
    }


def test_every_stack_has_plan_and_apply_jobs_in_apply_order(
    written: tuple[list[WorkflowStack], Path, list[str]],
) -> None:
    stacks, folder, every = written
    plan = load_yaml(folder / PLAN_FILE)["jobs"]
    apply = load_yaml(folder / APPLY_FILE)["jobs"]
    app_stacks = [name for name in every if not name.startswith("bootstrap")]
    assert [stack.name for stack in stacks] == app_stacks
    assert sorted(name for name in plan if name.startswith("plan-")) == sorted(f"plan-{name}" for name in app_stacks)
    assert sorted(name for name in apply if name.startswith("apply-")) == sorted(f"apply-{name}" for name in app_stacks)
    assert not [name for name in [*plan, *apply] if "bootstrap" in name]
    # Every plan runs on the synth alone (see README: a stack whose inputs were never applied reports that instead).
    assert all(plan[f"plan-{name}"]["needs"] == ["synth"] for name in app_stacks)
    # Apply: GitHub can only run the jobs in an order where each job's needs come first; that order is apply order.
    position = {name: index for index, name in enumerate(app_stacks)}
    environments = list(dict.fromkeys(stack.environment for stack in stacks))
    for stack in stacks:
        needs = apply[f"apply-{stack.name}"]["needs"]
        assert needs[0] == "synth"
        assert {f"apply-{name}" for name in stack.after} <= set(needs), stack.name
        assert all(position[need.removeprefix("apply-")] < position[stack.name] for need in needs[1:])
        index = environments.index(stack.environment)
        previous = {f"apply-{s.name}" for s in stacks if index and s.environment == environments[index - 1]}
        assert previous <= set(needs), f"{stack.name} must wait for every stack of {environments[index - 1]}"


@needs_ci_tools
def test_layered_prod_applies_layer_after_layer_after_stg(
    layered_synthesized: Path, layered_config: PlatformConfig, tmp_path: Path
) -> None:
    stacks = stacks_of(layered_synthesized, layered_config)
    workflows.write_workflows(tmp_path, workflows.render(stacks))
    apply = load_yaml(tmp_path / APPLY_FILE)["jobs"]
    prod = [stack for stack in stacks if stack.environment == "prod"]
    assert len(prod) > 1 and all(stack.name.startswith("prod-") for stack in prod)
    assert all("apply-stg" in apply[f"apply-{stack.name}"]["needs"] for stack in prod)
    assert apply["apply-stg"]["needs"] == ["synth", "apply-dev"]
    readers = [stack for stack in prod if stack.after]
    assert readers, "per-layer prod has layers that read earlier layers"
    for stack in readers:
        assert {f"apply-{name}" for name in stack.after} <= set(apply[f"apply-{stack.name}"]["needs"])


@needs_ci_tools
def test_applies_run_in_their_github_environment_one_at_a_time_per_stack(
    written: tuple[list[WorkflowStack], Path, list[str]],
) -> None:
    stacks, folder, _ = written
    plan = load_yaml(folder / PLAN_FILE)
    apply = load_yaml(folder / APPLY_FILE)
    groups = []
    for stack in stacks:
        job = apply["jobs"][f"apply-{stack.name}"]
        assert job["environment"] == stack.deploys_in
        assert job["concurrency"] == {"group": f"terraform-apply-{stack.name}", "cancel-in-progress": False}
        groups.append(job["concurrency"]["group"])
        credentials = next(step for step in job["steps"] if "configure-aws-credentials" in step.get("uses", ""))
        assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_APPLY_ROLE_ARN }}"
        planned = plan["jobs"][f"plan-{stack.name}"]
        assert "environment" not in planned  # a PR plan must not wait for prod's reviewers
        role = f"AWS_PLAN_ROLE_ARN_{stack.environment.upper()}"
        assert planned["if"].endswith(f"&& vars.{role} != ''")  # skipped where PR plans are not trusted
        credentials = next(step for step in planned["steps"] if "configure-aws-credentials" in step.get("uses", ""))
        assert credentials["with"]["role-to-assume"] == f"${{{{ vars.AWS_PLAN_ROLE_ARN_{stack.environment.upper()} }}}}"
    assert len(set(groups)) == len(groups)
    assert apply["concurrency"] == {"group": "platform-apply", "cancel-in-progress": False}
    assert apply["on"] == {"push": {"branches": ["main"]}} and plan["on"] == {"pull_request": {"branches": ["main"]}}


@needs_ci_tools
def test_least_privilege_and_pins(written: tuple[list[WorkflowStack], Path, list[str]]) -> None:
    _, folder, _ = written
    for name in (PLAN_FILE, APPLY_FILE):
        text = (folder / name).read_text()
        assert text.startswith(MARKER)
        uses = re.findall(r"uses: (\S+)(.*)", text)
        assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", ref) for ref, _ in uses), uses
        assert all(re.fullmatch(r" # v\d+\.\d+\.\d+", comment) for _, comment in uses), uses
        document = load_yaml(folder / name)
        assert document["permissions"] == {}
        for job_name, job in document["jobs"].items():
            oidc = job_name.startswith(("plan-", "apply-"))
            assert ("id-token" in job["permissions"]) == oidc, job_name
            assert ("pull-requests" in job["permissions"]) == (job_name == "comment"), job_name
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (job_name, step["name"])
                if "actions/checkout" in step.get("uses", ""):
                    assert step["with"]["persist-credentials"] is False
                if "setup-terraform" in step.get("uses", ""):
                    assert step["with"]["terraform_version"] == "1.11.4"
            if oidc:
                init = next(step for step in job["steps"] if step["name"] == "terraform init")["run"]
                assert "terraform init -input=false -lockfile=readonly" in init
                assert ("exit 1" in init) == job_name.startswith("apply-")  # applies refuse to run unlocked


def run_plan_script(tmp_path: Path, output: str, status: int) -> tuple[subprocess.CompletedProcess[str], str]:
    """The plan step's script with a stand-in `terraform` that prints `output` and exits with `status`."""
    stacks = [WorkflowStack("prod-compute", "prod", ("prod-network",), "eu-west-1")]
    job = workflows.plan_workflow(stacks, check="true")["jobs"]["plan-prod-compute"]  # type: ignore[index]
    script = next(step for step in job["steps"] if step["name"] == "terraform plan")["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(f"#!/bin/sh\n[ \"$1\" = show ] && exit 0\ncat <<'EOF'\n{output}\nEOF\nexit {status}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        **job["env"],
    }
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    summary = tmp_path / "plan-summary" / "prod-compute.md"
    return result, summary.read_text() if summary.exists() else ""


def test_apply_jobs_run_in_the_github_environment_the_role_trusts() -> None:
    """The apply role trusts `environment:<name>` (a job in an environment gets that token subject)."""
    stacks = [
        WorkflowStack("dev", "dev", (), "eu-west-1"),
        WorkflowStack("prod", "prod", (), "eu-west-1", github_environment="production"),
    ]
    jobs: Any = workflows.apply_workflow(stacks)["jobs"]
    assert jobs["apply-dev"]["environment"] == "dev"
    assert jobs["apply-prod"]["environment"] == "production"


def test_plan_step_reports_the_plan_line(tmp_path: Path) -> None:
    result, summary = run_plan_script(tmp_path, "...\nPlan: 3 to add, 1 to change, 0 to destroy.", 0)
    assert result.returncode == 0, result.stderr
    assert summary == "| `prod-compute` | Plan: 3 to add, 1 to change, 0 to destroy. |\n"


def test_plan_step_waits_only_for_inputs_never_applied(tmp_path: Path) -> None:
    """A layer whose inputs have no state yet cannot plan; that one reason passes with a note, any other fails."""
    missing = "Error: Unable to find remote state\n  with data.terraform_remote_state.network"
    result, summary = run_plan_script(tmp_path, missing, 1)
    assert result.returncode == 0, result.stderr
    assert "not planned yet: it reads prod-network" in summary


NEW_OUTPUT = """\
Planning failed. Terraform encountered an error while generating this plan.

Error: Unsupported attribute

  on cdk.tf.json line 2, in output.x:
   2:  "value": "${data.terraform_remote_state.network.outputs.vpc_id}"
    ├────────────────
    │ data.terraform_remote_state.network.outputs is object with no attributes

This object does not have an attribute named "vpc_id".
"""
"""Terraform 1.11.4's own output (reproduced with a local remote state) for an output the read stack lacks yet."""


def test_plan_step_waits_for_an_output_this_change_adds(tmp_path: Path) -> None:
    result, summary = run_plan_script(tmp_path, NEW_OUTPUT, 1)
    assert result.returncode == 0, result.stderr
    assert "not planned yet: it reads prod-network, not applied yet" in summary


def test_plan_step_fails_when_another_error_comes_with_a_missing_input(tmp_path: Path) -> None:
    other = "Error: Unsupported attribute\n\n  on cdk.tf.json line 9:\n    │ aws_vpc.main is object\n"
    result, summary = run_plan_script(tmp_path, f"{NEW_OUTPUT}\n{other}", 1)
    assert result.returncode == 1
    assert "**plan failed**" in summary


def test_plan_step_fails_on_any_other_error(tmp_path: Path) -> None:
    result, summary = run_plan_script(tmp_path, "Error: Invalid provider configuration", 1)
    assert result.returncode == 1
    assert "**plan failed**" in summary


def test_comment_lists_every_stack_planned_or_not(tmp_path: Path) -> None:
    stacks = [WorkflowStack("dev", "dev", (), "eu-west-1"), WorkflowStack("stg", "stg", (), "eu-west-1")]
    document: Any = workflows.plan_workflow(stacks, check="true")
    step = document["jobs"]["comment"]["steps"][-1]
    (tmp_path / "summaries").mkdir()
    (tmp_path / "summaries" / "dev.md").write_text("| `dev` | No changes. |\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text('#!/bin/sh\necho "$@" > gh.args\ncp comment.md posted.md\n')
    fake.chmod(0o755)
    env = {**os.environ, **step["env"], "PATH": f"{bin_dir}:{os.environ['PATH']}", "PR_NUMBER": "7"}
    env |= {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/platform", "GITHUB_RUN_ID": "1"}
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    posted = (tmp_path / "posted.md").read_text()
    assert "| `dev` | No changes. |" in posted
    assert "| `stg` | not planned: no plan role for its environment" in posted
    assert (tmp_path / "gh.args").read_text().split()[:3] == ["pr", "comment", "7"]


# --- the command line ---------------------------------------------------------------------------------------------


def test_no_subcommand_is_still_the_synth(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`cdktf synth` runs main.py with no arguments and CDKTF_OUTDIR: that must stay the synth, into that folder."""
    seen: list[str] = []

    def synth(args: Any, environ: Any) -> int:
        seen.append(args.out)
        return 0

    monkeypatch.setattr(main, "_run", synth)
    monkeypatch.setattr(main, "workflows_main", lambda argv, environ: pytest.fail("workflows ran"))
    assert main.main([], {"CDKTF_OUTDIR": str(tmp_path / "out"), "CDKTF_CONTEXT_JSON": "{}"}) == 0
    assert seen == [str(tmp_path / "out")]


def test_workflows_subcommand_dispatches(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def generate(argv: Any, environ: Any) -> int:
        seen.append(list(argv))
        return 0

    monkeypatch.setattr(main, "workflows_main", generate)
    monkeypatch.setattr(main, "_run", lambda args, environ: pytest.fail("synth ran"))
    assert main.main(["workflows", "--out", "x"], {}) == 0
    assert seen == [["--out", "x"]]


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main.main(["workflows", *args], {}) == main.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_bad_out_paths_are_refused_before_any_synth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "file.yml"
    a_file.write_text("x")
    assert "is a file, not a folder" in refused(capsys, "--out", str(a_file))
    assert f"{a_file} is a file" in refused(capsys, "--out", str(a_file / "sub"))
    assert "--out is empty" in refused(capsys, "--out", " ")
    folder = tmp_path / "wf"
    (folder / PLAN_FILE).mkdir(parents=True)
    assert "is a folder" in refused(capsys, "--out", str(folder))


def test_the_users_own_workflow_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / APPLY_FILE
    own.write_text("name: my own deploy\non: push\n")
    message = refused(capsys, "--out", str(tmp_path))
    assert f"{own} exists and was not written by `python main.py workflows`" in message
    assert own.read_text() == "name: my own deploy\non: push\n"
    assert not (tmp_path / PLAN_FILE).exists()  # nothing written when one file is refused


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_unwritable_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path.chmod(0o500)
    try:
        assert "not writable" in refused(capsys, "--out", str(tmp_path))
    finally:
        tmp_path.chmod(0o700)


def test_write_replaces_only_its_own_files(tmp_path: Path) -> None:
    files = {PLAN_FILE: f"{MARKER} v1\n", APPLY_FILE: f"{MARKER} v1\n"}
    workflows.write_workflows(tmp_path, files)
    (tmp_path / "ci.yml").write_text("the user's\n")
    workflows.write_workflows(tmp_path, dict.fromkeys(files, f"{MARKER} v2\n"))
    assert (tmp_path / PLAN_FILE).read_text() == f"{MARKER} v2\n"
    assert (tmp_path / "ci.yml").read_text() == "the user's\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*files, "ci.yml"])
    assert workflows.stale_files(tmp_path, {PLAN_FILE: f"{MARKER} v2\n", APPLY_FILE: "other"}) == [APPLY_FILE]


def test_command_writes_then_checks(tmp_path: Path) -> None:
    """End to end as a user runs it: writes both files, `--check` passes, and fails once a file drifts."""
    out = tmp_path / ".github" / "workflows"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(PROJECT_DIR / "main.py"), "workflows", "--out", str(out), *args],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )

    written = run()
    assert written.returncode == 0, written.stderr
    assert "Wrote 2 workflows for 3 stacks" in written.stdout
    assert (out / PLAN_FILE).read_text().startswith(MARKER)
    assert run("--check").returncode == 0
    (out / APPLY_FILE).write_text((out / APPLY_FILE).read_text().replace("apply-stg", "apply-xyz"))
    drifted = run("--check")
    assert drifted.returncode == 1 and f"{out / APPLY_FILE} differ" in drifted.stderr


def test_readme_excerpt_is_part_of_the_reference_apply_workflow(
    synthesized: Path, reference_config: PlatformConfig
) -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    excerpt = readme.split("Excerpt of `platform-apply.yml` for the reference config:\n\n```yaml\n", 1)[1]
    excerpt = excerpt.split("\n```", 1)[0]
    assert excerpt.count("\n") >= 10
    assert excerpt in workflows.render(stacks_of(synthesized, reference_config))[APPLY_FILE]
