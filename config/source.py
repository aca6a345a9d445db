"""From the bytes of a config file to a TOML document: encoding and nesting problems as ConfigProblems.

What fails before validation can begin: bytes that are not UTF-8 (a file saved as Latin-1 or UTF-16), an
empty file, and nesting too deep for the parser or for the recursive merge of defaults into environments.
"""

from __future__ import annotations

from typing import Any

from config.errors import ConfigError, ConfigProblem

MAX_DEPTH = 32
"""Deepest table/array nesting accepted; the schema itself needs fewer than 10 levels."""

_OPENING = {"[": "]", "{": "}"}
_SHOWN_KEYS = 6


def decode_config(data: bytes, *, source: str) -> str:
    """The text of a config file; ConfigError if it is empty or not UTF-8 (a UTF-8 byte-order mark is allowed)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError([ConfigProblem(source, "", "is UTF-16 text; TOML must be UTF-8: re-save it as UTF-8")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        message = (
            f"is not UTF-8 (byte 0x{byte} at column {column}; saved as Latin-1?): TOML must be UTF-8, "
            f"re-save it as UTF-8"
        )
        raise ConfigError([ConfigProblem(source, "", message, line=line)]) from None
    if not text.strip():
        raise ConfigError(
            [
                ConfigProblem(
                    source, "", "is empty; a platform config needs [project], [backend] and [environments.<name>]"
                )
            ]
        )
    return text


def too_deep_to_parse(text: str, source: str) -> ConfigProblem:
    """The problem for TOML the parser gave up on (RecursionError): the line where nesting first passes MAX_DEPTH."""
    depth, deepest, line, where = 0, 0, 1, None
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            end = index + len(quote)
            while end < len(text) and not text.startswith(quote, end):
                end += 2 if char == '"' and text[end] == "\\" else 1
            line += text.count("\n", index, end)
            index = end + len(quote)
            continue
        elif char in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH and where is None:
                where = line
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    message = (
        f"nests arrays or inline tables {deepest} levels deep, more than the TOML parser can read (max {MAX_DEPTH})"
    )
    return ConfigProblem(source, "", message, line=where)


def check_depth(document: dict[str, Any], source: str) -> None:
    """ConfigError for each top-level key whose value nests deeper than MAX_DEPTH (walked without recursion)."""
    problems = []
    for key, value in document.items():
        deepest, path = 0, [key]
        stack: list[tuple[Any, int, list[str]]] = [(value, 1, [key])]
        while stack:
            node, level, keys = stack.pop()
            if level > deepest:
                deepest, path = level, keys
            shown = len(keys) >= _SHOWN_KEYS  # the message names the first keys only; deeper paths share the list
            if isinstance(node, dict):
                stack.extend((child, level + 1, keys if shown else [*keys, str(name)]) for name, child in node.items())
            elif isinstance(node, list):
                stack.extend(
                    (child, level + 1, keys if shown else [*keys, f"[{index}]"]) for index, child in enumerate(node)
                )
        if deepest > MAX_DEPTH:
            where = ".".join(path).replace(".[", "[") + "..."
            problems.append(
                ConfigProblem(source, where, f"nests {deepest} levels deep; at most {MAX_DEPTH} are accepted")
            )
    if problems:
        raise ConfigError(problems)
