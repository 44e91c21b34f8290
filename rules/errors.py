"""The one exception family of the rules package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One checker finding, printed as `file:line:column: message` (1-based)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class RulesError(Exception):
    """Base of every error this package raises."""


class RulesetInvalid(RulesError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class EventInvalid(RulesError):
    """An event that does not fit the contract in rules/events.py."""
