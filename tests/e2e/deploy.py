"""Deploy a synthesized config on the emulator: the steps of tests/e2e/test_deploy.py, one function each."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import load_config
from main import synthesize
from tests.conftest import PROJECT_DIR
from tests.e2e.emulator import aws_call, import_certificate, moto_server, write_overrides
from tests.e2e.profile import (
    literal_certificates,
    profile_override,
    service_linked_roles,
    swapped_addresses,
    untolerated,
)
from tests.terraform import terraform

PARALLELISM = "-parallelism=20"
SYNTH_LOCK = threading.Lock()
"""The test process has one jsii kernel, which serves one request at a time: deployments run side by side in
threads (tests/e2e/test_deploy_examples.py) synthesize one after the other."""
CDKTF = PROJECT_DIR / "node_modules" / ".bin" / "cdktf"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Applied:
    stack: str
    applied: int
    total: int
    swapped: int
    replan: str
    seconds: float


@dataclass
class Timings:
    """Wall seconds per step of a run, printed at its end: where an end-to-end run's time goes."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - started

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.0f}s" for name, seconds in self.seconds.items())


def stack_document(stack: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((stack / "cdk.tf.json").read_text())
    return document


def resource_count(document: Mapping[str, Any]) -> int:
    return sum(len(items) for items in document.get("resource", {}).values())


CREATE_SERVICE_LINKED_ROLE = """
path, name = args[1].split(":role", 1)[1].rsplit("/", 1)
trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": args[0]}, "Action": "sts:AssumeRole"}]}
client("iam").create_role(RoleName=name, Path=path + "/", AssumeRolePolicyDocument=json.dumps(trust))
"""


def seed_emulator(endpoint: str, stacks: list[Path]) -> dict[str, str]:
    """What a real account has before the first deploy: the public hosted zones the stacks look up, and a
    certificate in each region whose placeholder ARN the config gives, and the service-linked roles AWS creates on
    first use that the profile supplies (SUPPLIED). Returns the imported ARNs by region."""
    documents = [stack_document(stack) for stack in stacks]  # read once, used three times below
    zones = sorted(
        {
            zone["name"]
            for document in documents
            for zone in document.get("data", {}).get("aws_route53_zone", {}).values()
        }
    )
    for zone in zones:
        aws_call(endpoint, "client('route53').create_hosted_zone(Name=args[0], CallerReference=args[0])", zone)
    for service, arn in sorted({role for document in documents for role in service_linked_roles(document)}):
        aws_call(endpoint, CREATE_SERVICE_LINKED_ROLE, service, arn)
    regions = sorted({region for document in documents for region in literal_certificates(document).values()})
    return {region: import_certificate(endpoint, region, "emulator.example") for region in regions}


def prepare(stack: Path, endpoint: str, certificates: Mapping[str, str]) -> dict[str, Any]:
    document = stack_document(stack)
    write_overrides(stack, endpoint, profile_override(stack.name, document, certificates))
    return document


def state_addresses(stack: Path, env: dict[str, str]) -> list[str]:
    listed = terraform(stack, env, "state", "list").stdout.split()
    return [address for address in listed if not address.startswith("data.")]


def apply_with_terraform(stack: Path, env: dict[str, str]) -> None:
    terraform(stack, env, "init", "-input=false")
    terraform(stack, env, "apply", "-auto-approve", "-input=false", PARALLELISM)


def apply_with_cdktf(project: Path, stack: Path, env: dict[str, str]) -> None:
    """`cdktf deploy <stack>` from the project folder, as the README tells users (no re-synth: it would drop the
    emulator's override files)."""
    shutil.copy(PROJECT_DIR / "cdktf.json", project / "cdktf.json")
    cli_env = {**env, "PATH": f"{CDKTF.parent}:{env['PATH']}", "CHECKPOINT_DISABLE": "1"}
    deploy = subprocess.run(
        [
            str(CDKTF),
            "deploy",
            stack.name,
            "--skip-synth",
            "--skip-provider-lock",
            "--auto-approve",
            "--terraform-parallelism",
            "20",
        ],
        cwd=project,
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = ANSI.sub("", deploy.stdout)
    assert deploy.returncode == 0, output[-5000:] + deploy.stderr[-3000:]
    assert "Apply complete!" in output, output[-3000:]


def replan(stack: Path, env: dict[str, str]) -> list[str]:
    """Every change of a plan right after the apply that the emulator profile does not explain."""
    terraform(stack, env, "plan", "-input=false", "-out=replan.tfplan", PARALLELISM)
    plan = json.loads(terraform(stack, env, "show", "-json", "replan.tfplan").stdout)
    return untolerated(plan.get("resource_changes", []))


def apply_stack(project: Path, stack: Path, env: dict[str, str], *, through_cdktf: bool, timings: Timings) -> Applied:
    document = stack_document(stack)
    started = time.monotonic()
    with timings.step(f"{stack.name} apply"):
        if through_cdktf:
            apply_with_cdktf(project, stack, env)
        else:
            apply_with_terraform(stack, env)
    seconds = time.monotonic() - started
    total = resource_count(document)
    swapped = len(swapped_addresses(stack.name, document))
    applied = len(state_addresses(stack, env))
    with timings.step(f"{stack.name} re-plan"):
        problems = replan(stack, env)
    return Applied(stack.name, applied, total, swapped, "no changes" if not problems else "; ".join(problems), seconds)


def lift_protection(stack: Path, endpoint: str, env: dict[str, str]) -> None:
    """Teardown of a protected environment, as its owner would: protection off (prevent_destroy, deletion protection,
    force_destroy on buckets), applied, then destroyed. Written into a second override file."""
    document = stack_document(stack)
    resources: dict[str, dict[str, dict[str, Any]]] = {}
    for resource_type, items in document.get("resource", {}).items():
        for name, body in items.items():
            lifted: dict[str, Any] = {}
            if body.get("lifecycle", {}).get("prevent_destroy"):
                lifted["lifecycle"] = {"prevent_destroy": False}
            for flag in ("deletion_protection", "enable_deletion_protection"):
                if body.get(flag) is True:
                    lifted[flag] = False
            if body.get("force_destroy") is False:
                lifted["force_destroy"] = True
            if lifted:
                resources.setdefault(resource_type, {})[name] = lifted
    (stack / "teardown_override.tf.json").write_text(json.dumps({"resource": resources}, indent=1))
    # no refresh: the re-plan read every resource back and nothing has touched the stack since
    terraform(stack, env, "apply", "-auto-approve", "-input=false", "-refresh=false", PARALLELISM)


def destroy(stack: Path, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", "destroy", "-auto-approve", "-input=false", "-no-color", PARALLELISM, *options],
        cwd=stack,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


LIST_OBJECTS = """
result = sorted(item["Key"] for item in client("s3").list_objects_v2(Bucket=args[0]).get("Contents", []))
"""


def deploy_replan_destroy(
    config_file: str,
    environments: tuple[str, ...],
    through_cdktf: str | None,
    tmp_path: Path,
    terraform_env: dict[str, str],
) -> list[Applied]:
    """The whole end-to-end run of one config on a fresh moto server (see tests/e2e/test_deploy.py)."""
    timings = Timings()
    path = PROJECT_DIR / config_file
    config = load_config(path.read_text(), config_file)
    project = tmp_path / "project"
    with timings.step("synth"), SYNTH_LOCK:  # one jsii kernel per test process: runs side by side take turns
        synthesize(config, list(environments), project / "cdktf.out", project_dir=project)
    stacks = project / "cdktf.out" / "stacks"
    for environment in environments:
        assert [p.name for p in stacks.glob(f"{environment}*")] == [environment], (
            f"{config_file}: {environment} must be one stack (state = per_environment) for this test"
        )
    started = time.monotonic()
    with moto_server(tmp_path / "moto.log") as endpoint:
        timings.seconds["moto start"] = time.monotonic() - started
        bootstrap = stacks / "bootstrap"
        with timings.step("bootstrap"):
            document = prepare(bootstrap, endpoint, {})
            terraform(bootstrap, terraform_env, "init", "-input=false")
            terraform(bootstrap, terraform_env, "apply", "-auto-approve", "-input=false")
            assert len(state_addresses(bootstrap, terraform_env)) == resource_count(document) - len(
                swapped_addresses("bootstrap", document)
            )
            certificates = seed_emulator(endpoint, [stacks / environment for environment in environments])

        # One environment after the other: moto's ELBv2 CreateRule answers PriorityInUse when two environments
        # create listener rules at the same time (one listener's priorities are checked against the other's).
        report: list[Applied] = []
        for environment in environments:
            stack = stacks / environment
            prepare(stack, endpoint, certificates)
            result = apply_stack(
                project, stack, terraform_env, through_cdktf=environment == through_cdktf, timings=timings
            )
            report.append(result)
            print(f"{result.stack}: applied {result.applied}/{result.total} ({result.swapped} swapped) in "
                  f"{result.seconds:.0f}s, re-plan: {result.replan}", flush=True)  # fmt: skip
            assert result.applied == result.total - result.swapped, result
            assert result.replan == "no changes", f"{environment} re-plan: {result.replan}"

        backend = stack_document(stacks / environments[0])["terraform"]["backend"]["s3"]
        state_objects = aws_call(endpoint, LIST_OBJECTS, backend["bucket"])
        for environment in environments:
            key = stack_document(stacks / environment)["terraform"]["backend"]["s3"]["key"]
            assert key in state_objects

        # bootstrap refuses its own destroy while the environments' states are in its bucket (prevent_destroy is
        # decided on the plan, so without a refresh)
        refused = destroy(bootstrap, terraform_env, "-refresh=false")
        assert refused.returncode != 0
        assert "Instance cannot be destroyed" in refused.stderr
        assert len(state_addresses(bootstrap, terraform_env)) > 0

        for environment in reversed(environments):
            stack = stacks / environment
            bodies = [body for items in stack_document(stack).get("resource", {}).values() for body in items.values()]
            if any(body.get("lifecycle", {}).get("prevent_destroy") for body in bodies):
                refused = destroy(stack, terraform_env, "-refresh=false")
                assert refused.returncode != 0 and "Instance cannot be destroyed" in refused.stderr
            if any(
                body.get("lifecycle", {}).get("prevent_destroy")
                or body.get("deletion_protection") is True
                or body.get("enable_deletion_protection") is True
                for body in bodies
            ):
                with timings.step(f"{environment} lift protection"):
                    lift_protection(stack, endpoint, terraform_env)
            # no refresh: the state was just written by the lift-protection apply, or read back by the re-plan
            with timings.step(f"{environment} destroy"):
                destroyed = destroy(stack, terraform_env, "-refresh=false")
            assert destroyed.returncode == 0, destroyed.stdout[-5000:] + destroyed.stderr[-5000:]
            assert state_addresses(stack, terraform_env) == []
    print(f"{config_file} {'+'.join(environments)} timings: {timings.summary()}", flush=True)
    return report
