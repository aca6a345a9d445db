"""Config bytes to TOML document: encodings, empty files and nesting too deep to parse or merge."""

from __future__ import annotations

import pytest

from config import ConfigError, load_config
from config.source import MAX_DEPTH, decode_config
from tests.conftest import REFERENCE_CONFIG


def problems(data: bytes) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(decode_config(data, source="x.toml"), source="x.toml")
    return [str(problem) for problem in caught.value.problems]


def test_utf8_with_or_without_byte_order_mark_is_read() -> None:
    text = REFERENCE_CONFIG.read_text(encoding="utf-8")
    assert decode_config(text.encode(), source="x.toml") == text
    assert decode_config(b"\xef\xbb\xbf" + text.encode(), source="x.toml") == text  # Notepad's "UTF-8 with BOM"


def test_latin1_names_line_and_byte() -> None:
    data = b'[project]\nname = "demo"\n# caf\xe9\n'
    assert problems(data) == [
        "x.toml:3 is not UTF-8 (byte 0xe9 at column 6; saved as Latin-1?): TOML must be UTF-8, re-save it as UTF-8"
    ]


def test_utf16_is_named() -> None:
    data = REFERENCE_CONFIG.read_text(encoding="utf-8").encode("utf-16")
    assert problems(data) == ["x.toml is UTF-16 text; TOML must be UTF-8: re-save it as UTF-8"]


@pytest.mark.parametrize("data", [b"", b" \n\t\n"])
def test_empty_file_is_one_problem(data: bytes) -> None:
    assert problems(data) == ["x.toml is empty; a platform config needs [project], [backend] and [environments.<name>]"]


def test_array_too_deep_for_the_parser_names_its_line() -> None:
    text = REFERENCE_CONFIG.read_text() + "\n# a ] and a [ in a comment\nx = '[['\ndeep = " + "[" * 5000 + "]" * 5000
    line = text.count("\n") + 1
    assert problems(text.encode()) == [
        f"x.toml:{line} nests arrays or inline tables 5000 levels deep, more than the TOML parser can read "
        f"(max {MAX_DEPTH})"
    ]


def test_tables_too_deep_to_merge_are_reported_before_merging() -> None:
    """Dotted headers nest without limit in the parser; merging defaults into an environment would recurse."""
    keys = ".".join(["a"] * 3000)
    text = (
        REFERENCE_CONFIG.read_text() + f"\n[defaults.network.{keys}]\nx = 1\n[environments.dev.network.{keys}]\nx = 2\n"
    )
    assert problems(text.encode()) == [
        f"x.toml defaults.network.a.a.a.a...: nests 3003 levels deep; at most {MAX_DEPTH} are accepted",
        f"x.toml environments.dev.network.a.a.a...: nests 3004 levels deep; at most {MAX_DEPTH} are accepted",
    ]


def test_reference_config_is_well_within_the_depth_limit() -> None:
    nested = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    text = REFERENCE_CONFIG.read_text().replace("[project]\n", f"[project]\nextra = {nested}\n", 1)
    reported = problems(text.encode())
    assert reported and all("project.extra" in problem and "levels deep" not in problem for problem in reported)
