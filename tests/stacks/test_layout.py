"""State layout: one state per environment or one per layer, the same resources either way (seed 004's shape)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from config import ConfigError, PlatformConfig
from main import stack_summaries
from stacks.order import STATE_NAMES, apply_order
from tests.conftest import Json

LAYER_STACKS = [f"prod-{state}" for state in STATE_NAMES]


def stack_json(outdir: Path, name: str) -> Json:
    document: Json = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())
    return document


def manifest(outdir: Path) -> Json:
    document: Json = json.loads((outdir / "manifest.json").read_text())
    return document


def addresses(document: Json) -> Counter[str]:
    return Counter(f"{kind}.{name}" for kind, items in document.get("resource", {}).items() for name in items)


def layer_documents(outdir: Path) -> dict[str, Json]:
    return {name: stack_json(outdir, name) for name in LAYER_STACKS}


def test_reference_config_keeps_one_state_per_environment(synthesized: Path) -> None:
    assert sorted(manifest(synthesized)["stacks"]) == ["bootstrap", "dev", "prod", "stg"]
    backend = stack_json(synthesized, "prod")["terraform"]["backend"]["s3"]
    assert backend["key"] == "acme/prod/platform.tfstate"
    assert "terraform_remote_state" not in stack_json(synthesized, "prod").get("data", {})


def test_per_layer_gives_one_stack_and_one_state_key_per_layer(layered_synthesized: Path) -> None:
    stacks = manifest(layered_synthesized)["stacks"]
    assert sorted(stacks) == sorted(["bootstrap", "dev", "stg", *LAYER_STACKS])
    for state, name in zip(STATE_NAMES, LAYER_STACKS, strict=True):
        document = stack_json(layered_synthesized, name)
        backend = document["terraform"]["backend"]["s3"]
        assert backend["key"] == f"acme/prod/{state}.tfstate"
        assert backend["bucket"] == "acme-terraform-state-apne1" and backend["encrypt"] is True
        assert document["terraform"]["required_providers"]["aws"]["version"] == "~> 5.100.0"
        (provider,) = [provider for provider in document["provider"]["aws"] if "alias" not in provider]
        assert provider["default_tags"][0]["tags"]["Environment"] == "prod"
        assert addresses(document), f"{name} holds no resource"


def test_same_resources_in_either_layout(synthesized: Path, layered_synthesized: Path) -> None:
    """Same addresses too, so `terraform state mv` can move a resource between the layouts."""
    whole = addresses(stack_json(synthesized, "prod"))
    split: Counter[str] = Counter()
    for document in layer_documents(layered_synthesized).values():
        split += addresses(document)
    assert split == whole
    assert Counter(a.split(".")[0] for a in split) == Counter(a.split(".")[0] for a in whole)
    for name in ("dev", "stg"):  # the other environments are untouched by prod's layout
        assert stack_json(layered_synthesized, name) == stack_json(synthesized, name)


def test_user_outputs_are_the_same_split_by_layer(synthesized: Path, layered_synthesized: Path) -> None:
    whole = stack_json(synthesized, "prod")["output"]
    split: dict[str, Any] = {}
    for name, document in layer_documents(layered_synthesized).items():
        mine = {key: value for key, value in document.get("output", {}).items() if not key.startswith("cross-stack-")}
        assert not set(mine) & set(split), f"{name} repeats an output"
        split.update(mine)
    assert sorted(split) == sorted(whole)
    assert {key: value["description"] for key, value in split.items()} == {
        key: value["description"] for key, value in whole.items()
    }
    assert "kms_key_arn" in stack_json(layered_synthesized, "prod-encryption")["output"]
    assert "ecr_repository_urls" in stack_json(layered_synthesized, "prod-registry")["output"]
    assert "alb_dns_name" in stack_json(layered_synthesized, "prod-load-balancing")["output"]


def test_later_layers_read_earlier_states_through_remote_state(layered_synthesized: Path) -> None:
    documents = layer_documents(layered_synthesized)
    dependencies = {name: manifest(layered_synthesized)["stacks"][name]["dependencies"] for name in LAYER_STACKS}
    assert dependencies["prod-encryption"] == []
    assert dependencies["prod-registry"] == ["prod-encryption"]
    assert set(dependencies["prod-compute"]) == {
        f"prod-{state}"
        for state in ("encryption", "registry", "storage", "network", "security", "data", "secrets", "load-balancing")
    }
    assert "prod-load-balancing" in dependencies["prod-edge"] and "prod-domain" in dependencies["prod-load-balancing"]
    for name, document in documents.items():
        readers = document.get("data", {}).get("terraform_remote_state", {})
        assert sorted(readers) == sorted(f"cross-stack-reference-input-{other}" for other in dependencies[name])
        for reader_name, reader in readers.items():
            other = reader_name.removeprefix("cross-stack-reference-input-prod-")
            assert reader["backend"] == "s3"
            # only what a read needs: no lock table (deprecated there, and a read takes no lock)
            assert reader["config"] == {
                "bucket": "acme-terraform-state-apne1",
                "key": f"acme/prod/{other}.tfstate",
                "region": "ap-northeast-1",
            }


def test_every_value_a_later_layer_reads_is_an_output_of_the_earlier_one(layered_synthesized: Path) -> None:
    documents = layer_documents(layered_synthesized)
    read = 0
    for document in documents.values():
        text = json.dumps(document)
        for other, key in {
            (m.split(".")[0], m.split(".")[1])
            for m in _remote_reads(text)  # "prod-network.cross-stack-output-..." per reference
        }:
            output = documents[other]["output"][key]
            assert output["sensitive"] is False  # ids and ARNs: plans stay readable in the reading state
            assert output["value"].startswith(("${aws_", "${data.aws_"))
            read += 1
    assert read > 20


def _remote_reads(text: str) -> set[str]:
    import re

    return {
        f"{stack}.{key}"
        for stack, key in re.findall(
            r"data\.terraform_remote_state\.cross-stack-reference-input-([a-z-]+)\.outputs\.([\w.-]+?)}", text
        )
    }


def test_depends_on_stays_inside_a_state(layered_synthesized: Path) -> None:
    """`depends_on` can only name a resource of its own state; order across states comes from the stack order."""
    for name in ["dev", "stg", *LAYER_STACKS]:
        document = stack_json(layered_synthesized, name)
        present = set(addresses(document)) | {
            f"data.{kind}.{key}" for kind, items in document.get("data", {}).items() for key in items
        }
        for items in document.get("resource", {}).values():
            for resource in items.values():
                for dependency in resource.get("depends_on", []):
                    assert dependency in present, (name, dependency)
    compute = stack_json(layered_synthesized, "prod-compute")
    whole_services = stack_json(layered_synthesized, "dev")["resource"]["aws_ecs_service"]
    assert any("aws_lb_listener_rule" in " ".join(s.get("depends_on", [])) for s in whole_services.values())
    for service in compute["resource"]["aws_ecs_service"].values():
        assert not any("aws_lb_listener" in dependency for dependency in service.get("depends_on", []))


def test_apply_order_puts_every_layer_after_what_it_reads(layered_synthesized: Path) -> None:
    order = [stack.name for stack in stack_summaries(layered_synthesized)]
    assert order == ["bootstrap", "dev", "stg", *LAYER_STACKS]
    for stack in stack_summaries(layered_synthesized):
        assert all(order.index(before) < order.index(stack.name) for before in stack.after)
    # the registry is applied right after its key, so a first deploy can stop there and push images
    assert order[3:5] == ["prod-encryption", "prod-registry"]


def test_apply_order_refuses_cycles_and_unknown_stacks() -> None:
    with pytest.raises(ValueError, match="cycle among prod-network, prod-data"):
        apply_order({"prod-network": ["prod-data"], "prod-data": ["prod-network"]}, ["prod"])
    with pytest.raises(ValueError, match="prod-compute depends on prod-nope"):
        apply_order({"prod-compute": ["prod-nope"]}, ["prod"])
    assert apply_order({"prod": [], "bootstrap": [], "dev": []}, ["dev", "stg", "prod"]) == ["bootstrap", "dev", "prod"]


def test_layered_synth_is_deterministic(
    layered_config: PlatformConfig, layered_synthesized: Path, tmp_path: Path
) -> None:
    from main import synthesize

    again = tmp_path / "cdktf.out"
    synthesize(layered_config, layered_config.environment_names, again, project_dir=layered_synthesized.parent)
    for name in LAYER_STACKS:
        first = (layered_synthesized / "stacks" / name / "cdk.tf.json").read_bytes()
        assert (again / "stacks" / name / "cdk.tf.json").read_bytes() == first, name


def test_environment_overrides_the_project_layout(config_with: Callable[[Json], PlatformConfig]) -> None:
    config = config_with({"project": {"state": "per_layer"}, "environments": {"dev": {"state": "per_environment"}}})
    assert config.project.state == "per_layer"
    assert config.environment("dev").state == "per_environment"
    assert config.environment("prod").state is None


def test_project_layout_applies_to_every_environment_without_its_own(
    config_with: Callable[[Json], PlatformConfig], tmp_path: Path
) -> None:
    from main import synthesize

    config = config_with({"project": {"state": "per_layer"}, "environments": {"dev": {"state": "per_environment"}}})
    written = [stack.name for stack in synthesize(config, ["dev", "stg"], tmp_path / "cdktf.out")]
    assert written == ["bootstrap", "dev", *(f"stg-{state}" for state in STATE_NAMES)]


def test_role_backend_reads_remote_state_through_the_same_role(
    config_with: Callable[[Json], PlatformConfig], tmp_path: Path
) -> None:
    from main import synthesize

    role = "arn:aws:iam::210987654321:role/terraform-state"
    config = config_with({"backend": {"role_arn": role}, "environments": {"dev": {"state": "per_layer"}}})
    synthesize(config, ["dev"], tmp_path / "cdktf.out")
    readers = stack_json(tmp_path / "cdktf.out", "dev-registry")["data"]["terraform_remote_state"]
    (reader,) = readers.values()
    assert reader["config"]["assume_role"] == {"role_arn": role}
    assert reader["config"]["key"] == "acme/dev/encryption.tfstate"


@pytest.mark.parametrize(
    ("override", "key", "message"),
    [
        ({"project": {"state": "per_stack"}}, "project.state", "'per_environment' or 'per_layer' (got 'per_stack')"),
        ({"environments": {"dev": {"state": 1}}}, "environments.dev.state", "'per_environment' or 'per_layer'"),
    ],
)
def test_unknown_layout_is_refused(
    config_with: Callable[[Json], PlatformConfig], override: Json, key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        config_with(override)
    (problem,) = raised.value.problems
    assert f"test.toml {key}: " in str(problem) or f"] {key}: " in str(problem)
    assert message in str(problem)


def test_a_layer_switched_off_gets_no_state(config_with: Callable[[Json], PlatformConfig], tmp_path: Path) -> None:
    """dev has no domain and no CDN: per layer it gets no empty `dev-domain` / `dev-edge` stacks."""
    from main import synthesize

    config = config_with({"environments": {"dev": {"state": "per_layer"}}})
    assert config.environment("dev").cdn.enabled is False
    written = [stack.name for stack in synthesize(config, ["dev"], tmp_path / "cdktf.out")]
    assert written[0] == "bootstrap" and "dev-domain" not in written and "dev-edge" not in written
    assert written[1:] == [f"dev-{state}" for state in STATE_NAMES if f"dev-{state}" in written]  # in order
    assert {"dev-encryption", "dev-network", "dev-compute"} <= set(written)


def test_identity_reads_email_and_api_reads_storage_across_states(layered_synthesized: Path) -> None:
    after = {stack.name: stack.after for stack in stack_summaries(layered_synthesized)}
    assert "prod-email" in after["prod-identity"]  # the pool sends through the SES identity
    assert {"prod-storage", "prod-identity"} <= set(after["prod-api"])  # function grants, JWT issuer
    assert LAYER_STACKS.index("prod-email") < LAYER_STACKS.index("prod-identity") < LAYER_STACKS.index("prod-api")
    identity = stack_json(layered_synthesized, "prod-identity")
    (verification,) = identity["resource"]["aws_ses_domain_identity_verification"].values()
    assert verification["domain"].startswith("${data.terraform_remote_state.cross-stack-reference-input-prod-email.")
