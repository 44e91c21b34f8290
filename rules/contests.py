"""Contest scores from events, pure: which events count and for how much.

The standings themselves are computed by gamification.contests.standings from these
contributions; `tests:` cases, the dry run and the close all go through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import cel

from rules.engine import _EVAL_ERRORS, Event, Profile, _bind
from rules.replay import paused_gc
from rules.ruleset import ContestSpec, Ruleset
from rules.standings import Contribution, Row, standings
from rules.state import MemoryState


def holds(
    spec: ContestSpec,
    event: Event,
    actor: Profile | None,
    subject: Profile | None,
    cache: dict[Any, bool] | None = None,
) -> bool:
    """Whether the contest's `score.when` holds for this event (true when it has none).

    `cache`: results by the values the condition reads. A condition reads a few fields
    whose values repeat (a kind, a flag, a store), so over a contest's events the same
    few bindings come back again and again: evaluating each once is what keeps a close
    of 200,000 events within its budget."""
    plan = spec.plan
    if plan is None or plan.batch is None:
        return True
    local = event.at.astimezone(plan_zone(spec))
    variables, complete = _bind(plan, event, local, actor, subject)
    key: Any = None
    if cache is not None and complete:
        try:
            key = tuple(variables.items())
            hash(key)
        except TypeError:
            key = None
        else:
            found = cache.get(key)
            if found is not None:
                return found
    try:
        # A dict binds faster than a Context; an unbound (absent) field needs the Context
        # to fail as a missing key does.
        result = plan.batch.execute(variables if complete else cel.Context(variables=variables))
    except _EVAL_ERRORS:
        answer = False
    else:
        answer = bool(result) and result[0] is True
    if key is not None and cache is not None and len(cache) < 100_000:
        cache[key] = answer
    return answer


_ZONES: dict[str, Any] = {}


def plan_zone(spec: ContestSpec) -> Any:
    zone = _ZONES.get(spec.timezone)
    if zone is None:
        import zoneinfo

        zone = _ZONES[spec.timezone] = zoneinfo.ZoneInfo(spec.timezone)
    return zone


def amount_of(spec: ContestSpec, event: Event) -> float | None:
    """What one event adds to its actor's score before `when` (None: it does not count)."""
    if spec.score == "points" or event.type != spec.event:
        return None
    if spec.score == "count":
        return 1.0
    value = event.fields.get(spec.field or "")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def event_contributions(
    spec: ContestSpec,
    events: Iterable[Event],
    profiles: Mapping[str, Profile],
    ruleset: Ruleset | None = None,
) -> list[Contribution]:
    """Each counted event's contribution (count and sum), or, for points_from, the points
    the chosen rules of `ruleset` award when these events are replayed in time order."""
    if spec.score == "points":
        return _points(spec, events, profiles, ruleset)
    out = []
    cache: dict[Any, bool] = {}
    for event in events:
        amount = amount_of(spec, event)
        if amount is None:
            continue
        subject = profiles.get(event.subject) if event.subject is not None else None
        if holds(spec, event, profiles.get(event.actor), subject, cache):
            out.append(Contribution(event.id, event.actor, amount, event.at))
    return out


def _points(
    spec: ContestSpec,
    events: Iterable[Event],
    profiles: Mapping[str, Profile],
    ruleset: Ruleset | None,
) -> list[Contribution]:
    from rules.engine import judge

    if ruleset is None:
        return []
    state = MemoryState()
    out = []
    with paused_gc():
        for event in sorted(events, key=Event.sort_key):
            if event.type not in ruleset.plans:
                continue
            subject = profiles.get(event.subject) if event.subject is not None else None
            for d in judge(ruleset, event, state, actor=profiles.get(event.actor), subject=subject):
                if d.kind == "points" and d.rule_id in spec.rules:
                    key = f"rev-{d.reverses}" if d.reverses is not None else d.id
                    out.append(Contribution(key, d.beneficiary, float(d.amount), event.at))
    return out


def groups_of(spec: ContestSpec, profiles: Mapping[str, Profile]) -> dict[str, str]:
    """person -> the code of their group (store, city, ...), for group contests."""
    if spec.participants == "people":
        return {}
    return {
        person: str(profile.get(spec.participants) or "")
        for person, profile in profiles.items()
        if profile.get(spec.participants)
    }


def heads_of(groups: Mapping[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for group in groups.values():
        out[group] = out.get(group, 0) + 1
    return out


def contest_standings(
    spec: ContestSpec,
    events: Iterable[Event],
    profiles: Mapping[str, Profile],
    ruleset: Ruleset | None = None,
) -> list[Row]:
    """Standings of a contest over these events (tests: and the dry run)."""
    groups = groups_of(spec, profiles)
    return standings(
        spec, event_contributions(spec, events, profiles, ruleset), groups, heads_of(groups)
    )
