"""Configuration problems, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in the config: where it is (file, environment, key path) and what is wrong."""

    source: str
    path: str
    message: str
    environment: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        scope = f" [{self.environment}]" if self.environment else ""
        key = f" {self.path}:" if self.path else ""
        return f"{where}{scope}{key} {self.message}"


class ConfigError(Exception):
    """Raised with every problem found in a config file, so the user can fix them in one pass."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        body = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{count} {noun} in the configuration:\n{body}")
