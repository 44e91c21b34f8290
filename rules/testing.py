"""Run the `tests:` block of a ruleset: events in, expected totals out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rules.contests import contest_standings
from rules.engine import Event
from rules.events import COMMON_FIELDS
from rules.model import Case
from rules.replay import Totals, replay_events
from rules.ruleset import Ruleset

_EVERY = re.compile(r"^(\d+)\s*([dhms])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    passed: bool
    # One line per expected value: "u1 points: expected 30, got 40".
    lines: tuple[str, ...]


def expand(case_number: int, case: Case) -> list[Event]:
    """Test events with `repeat: N` (and `every: 1d`) become N events."""
    events = []
    for item, spec in enumerate(case.events):
        repeat = int(spec.get("repeat", 1))
        step = _step(spec.get("every"))
        at = spec["at"]
        start = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        fields = {
            k: v for k, v in spec.items() if k not in COMMON_FIELDS and k not in ("repeat", "every")
        }
        base = spec.get("id") or f"t{case_number:03d}-e{item:03d}"
        for k in range(repeat):
            events.append(
                Event(
                    id=base if repeat == 1 else f"{base}-{k:04d}",
                    type=spec["type"],
                    actor=spec["actor"],
                    at=start + step * k,
                    subject=spec.get("subject"),
                    fields=fields,
                )
            )
    return events


def _step(every: Any) -> timedelta:
    if every is None:
        return timedelta(0)
    found = _EVERY.match(str(every).strip())
    if not found:
        raise ValueError(f"every: {every!r} is not like 1d, 2h, 30m or 10s")
    return timedelta(**{_UNITS[found[2]]: int(found[1])})


def run_case(ruleset: Ruleset, case_number: int, case: Case) -> CaseResult:
    profiles = {user: {**fields, "id": user} for user, fields in case.users.items()}
    events = expand(case_number, case)
    totals = replay_events(ruleset, events, profiles)
    result = _compare(case.name, case, totals)
    if not case.standings:
        return result
    lines = list(result.lines)
    passed = result.passed
    for contest_id, wanted in sorted(case.standings.items()):
        spec = ruleset.contest(contest_id)
        if spec is None:  # the checker refuses this; keep the runner total
            lines.append(f"FAIL {contest_id}: no such contest")
            passed = False
            continue
        rows = contest_standings(spec, events, profiles, ruleset)
        got = [r.participant for r in rows[: len(wanted)]]
        ok = got == list(wanted)
        passed = passed and ok
        lines.append(
            f"{'ok' if ok else 'FAIL'} {contest_id} standings: expected {wanted}, got {got}"
        )
    return CaseResult(result.name, passed, tuple(lines))


def _compare(name: str, case: Case, totals: Totals) -> CaseResult:
    lines = []
    passed = True
    for user, expect in sorted(case.expect.items()):
        actual = totals.user(user)
        for key, wanted in (
            ("points", expect.points),
            ("spins", expect.spins),
            ("badges", sorted(expect.badges) if expect.badges is not None else None),
        ):
            if wanted is None:
                continue
            ok = actual[key] == wanted
            passed = passed and ok
            mark = "ok" if ok else "FAIL"
            lines.append(f"{mark} {user} {key}: expected {wanted}, got {actual[key]}")
    return CaseResult(name, passed, tuple(lines))


def run_tests(ruleset: Ruleset) -> list[CaseResult]:
    return [run_case(ruleset, number, case) for number, case in enumerate(ruleset.tests)]
