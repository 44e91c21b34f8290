"""Helpers shared by the rules tests."""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Any

from rules.engine import Decision, Event, judge
from rules.errors import Problem, RulesetInvalid
from rules.ruleset import Ruleset, load_ruleset
from rules.state import MemoryState

HEAD = """\
version: 1
timezone: Europe/Moscow
badges:
  bronze: {title: {en: Bronze}}
  gold: {title: {en: Gold}}
rules:
"""


def text(rules: str, head: str = HEAD) -> str:
    return head + textwrap.dedent(rules)


def load(rules: str, head: str = HEAD) -> Ruleset:
    return load_ruleset(text(rules, head), "r.yaml")


def problems(source: str) -> list[Problem]:
    try:
        load_ruleset(source, "r.yaml")
    except RulesetInvalid as exc:
        return exc.problems
    return []


def only_problem(source: str) -> Problem:
    found = problems(source)
    assert len(found) == 1, found
    return found[0]


def event(
    type_: str,
    actor: str = "u1",
    at: str = "2026-03-03T12:00:00+03:00",
    *,
    id: str = "e1",
    subject: str | None = None,
    **fields: Any,
) -> Event:
    return Event(id, type_, actor, datetime.fromisoformat(at), subject, fields)


def run(ruleset: Ruleset, events: list[Event], **profiles: dict[str, Any]) -> list[Decision]:
    state = MemoryState()
    out: list[Decision] = []
    for item in sorted(events, key=Event.sort_key):
        out += judge(
            ruleset,
            item,
            state,
            actor=profiles.get(item.actor),
            subject=profiles.get(item.subject or ""),
        )
    return out


def points(decisions: list[Decision], user: str) -> int:
    return sum(d.amount for d in decisions if d.kind == "points" and d.beneficiary == user)
