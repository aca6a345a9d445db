"""Reading provider attributes from the cache changes nothing but the number of jsii round trips.

The two byte-for-byte synth comparisons at the end also cover modules/struct_values.py: `main.synthesize` uses both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsii
import pytest
from cdktf import TerraformOutput, TerraformStack, Testing
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

from config import PlatformConfig
from modules.attribute_reads import cached_attribute_reads
from stacks.app import build_app
from tests.conftest import PROJECT_DIR, config_from_file


@pytest.fixture
def kernel_reads() -> Iterator[list[tuple[str, str]]]:
    """Every `jsii.get` that reaches the kernel (installed beneath the cache), as (class, property)."""
    reads: list[tuple[str, str]] = []
    original = jsii.get

    def get(obj: Any, name: str) -> Any:
        reads.append((type(obj).__name__, name))
        return original(obj, name)

    jsii.get = get
    try:
        yield reads
    finally:
        jsii.get = original


def bucket() -> S3Bucket:
    return S3Bucket(TerraformStack(Testing.app(), "reads"), "bucket", bucket="first")


def test_a_repeated_attribute_read_asks_the_kernel_once(kernel_reads: list[tuple[str, str]]) -> None:
    resource = bucket()
    with cached_attribute_reads() as cache:
        first, second = resource.arn, resource.arn
    assert first == second
    assert kernel_reads.count(("S3Bucket", "arn")) == 1
    assert cache[id(resource)][1] == {"arn": first}
    assert resource.arn != first  # outside the block every read is a new token again
    assert kernel_reads.count(("S3Bucket", "arn")) == 2


def test_input_reads_and_reads_after_a_change_go_to_the_kernel(kernel_reads: list[tuple[str, str]]) -> None:
    resource = bucket()
    with cached_attribute_reads() as cache:
        assert resource.bucket_input == "first"
        resource.bucket = "second"
        assert resource.bucket_input == "second"  # `<name>Input` is never kept
        arn = resource.arn
        resource.bucket = "third"  # a setter drops the object's entries
        assert id(resource) not in cache
        assert resource.arn == arn or resource.arn.startswith("${TfToken[")
        resource.add_override("force_destroy", True)  # so does any method call
        assert id(resource) not in cache
        resource.arn  # noqa: B018 (a read for its effect on the kernel)
    assert kernel_reads.count(("S3Bucket", "bucketInput")) == 2
    assert kernel_reads.count(("S3Bucket", "arn")) == 3


def test_reads_on_cdktf_classes_are_not_kept(kernel_reads: list[tuple[str, str]]) -> None:
    resource = bucket()
    output = TerraformOutput(resource, "out", value=resource.arn)
    with cached_attribute_reads() as cache:
        assert output.friendly_unique_id == output.friendly_unique_id
        assert output.node.id == "out"
    assert kernel_reads.count(("TerraformOutput", "friendlyUniqueId")) == 2
    assert cache == {}


def test_jsii_is_restored_when_the_block_raises() -> None:
    functions = (jsii.get, jsii.set, jsii.invoke)
    with pytest.raises(RuntimeError), cached_attribute_reads():
        assert jsii.get is not functions[0]
        raise RuntimeError
    assert (jsii.get, jsii.set, jsii.invoke) == functions


def synth_without_cache(config: PlatformConfig, outdir: Path) -> Path:
    """The app built and synthesized with every attribute read going to the kernel, structs sent as jsii does."""
    build_app(config, config.environment_names, str(outdir), str(PROJECT_DIR)).synth()
    return outdir


def assert_same_stacks(cached: Path, uncached: Path) -> None:
    names = sorted(path.name for path in (cached / "stacks").iterdir())
    assert names == sorted(path.name for path in (uncached / "stacks").iterdir())
    for name in names:
        relative = Path("stacks") / name / "cdk.tf.json"
        assert (cached / relative).read_bytes() == (uncached / relative).read_bytes(), name


def test_the_reference_synth_is_byte_identical_without_the_cache(
    tmp_path: Path, synthesized: Path, reference_config: PlatformConfig
) -> None:
    """`synthesized` is written by `main.synthesize`, which reads through the cache and sends struct values only."""
    assert_same_stacks(synthesized, synth_without_cache(reference_config, tmp_path / "out"))


def test_a_layered_example_is_byte_identical_without_the_cache(
    tmp_path: Path, synthesized_file: Callable[[Path], Path]
) -> None:
    """bookmark-manager keeps one state per layer: attributes cross stacks there as remote-state references."""
    path = PROJECT_DIR / "examples" / "bookmark-manager" / "environments.toml"
    assert_same_stacks(synthesized_file(path), synth_without_cache(config_from_file(path), tmp_path / "out"))
