"""Rules x event x state -> decisions, each carrying why it was made.

Pure: no clock (events carry their time), no database (state is a protocol), no
randomness. Callers feed events in time order, ties broken by event id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

import cel

from rules.events import COMMON_FIELDS
from rules.ruleset import AwardSpec, CompiledRule, EventPlan, Ruleset
from rules.state import CounterKey, State, StreakProgress, TierProgress
from rules.windows import describe, window_label

Profile = Mapping[str, Any]
ErrorHook = Callable[[str, "Event", Exception], None]

# What a condition may raise on real data (a field missing from one event, a
# null where a string was expected): the rule does not match that event.
_EVAL_ERRORS = (KeyError, TypeError, ValueError, RuntimeError, ArithmeticError)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    actor: str
    at: datetime
    subject: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Event:
        """From a decoded JSON line: {"id", "type", "actor", "at", ...fields}."""
        at = data["at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise ValueError(f"event {data.get('id')!r}: at must be a time with a zone")
        subject = data.get("subject")
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            actor=str(data["actor"]),
            at=at,
            subject=str(subject) if subject is not None else None,
            fields={k: v for k, v in data.items() if k not in COMMON_FIELDS},
        )

    def sort_key(self) -> tuple[datetime, str]:
        return (self.at, self.id)


class Counted(NamedTuple):
    """A limit's counter right after an award: `used` of `max` in `window`."""

    used: int
    max: int
    per: str
    window: str

    def __str__(self) -> str:
        return describe(self.used, self.max, self.per, self.window)


class Decision(NamedTuple):
    """One award to one person, with why it was made.

    A named tuple, and `id` and `because` computed on demand, because the engine
    makes one per award: a frozen dataclass of this size costs ~1.5 us to build
    and a sha256 ~0.5 us, which replay (that never reads them) would pay 1M times.
    """

    ruleset_version: str
    rule_id: str
    event_id: str
    event_type: str
    at: datetime
    actor: str
    beneficiary: str
    kind: str  # points | spins | badge
    amount: int
    badge: str | None
    part: str  # the tier's `at` for a tier award, "" otherwise
    note: str  # the streak or tier that allowed it, "" for a plain award
    counted: tuple[Counted, ...]  # the limits' counters that allowed it

    @property
    def id(self) -> str:
        """Deterministic; the settlement layer keeps it unique."""
        return decision_id(self.event_id, self.rule_id, self.beneficiary, self.kind, self.part)

    @property
    def because(self) -> str:
        """E.g. "3 of 3 this day (2026-03-03)"."""
        reasons = [self.note] if self.note else []
        reasons += [str(c) for c in self.counted]
        return "; ".join(reasons) or "no limit"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ruleset_version": self.ruleset_version,
            "rule_id": self.rule_id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "beneficiary": self.beneficiary,
            "kind": self.kind,
            "amount": self.amount,
            "badge": self.badge,
            "because": self.because,
        }


def decision_id(event_id: str, rule_id: str, beneficiary: str, kind: str, part: str = "") -> str:
    # `part` tells apart two tiers crossed by one event; empty otherwise.
    raw = "\x1f".join((event_id, rule_id, beneficiary, kind, part))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _new(cls: type[_T], values: tuple[Any, ...]) -> _T:
    # tuple.__new__ skips the named tuple's Python-level __new__: half the cost
    # of building the ~5 tuples each award makes.
    return tuple.__new__(cls, values)  # type: ignore[type-var]


_T = TypeVar("_T")


class _Local:
    """Per-event values computed once and shared by the rules of that event."""

    __slots__ = ("date", "hour", "labels")

    def __init__(self, at: datetime, ruleset: Ruleset) -> None:
        local = at.astimezone(ruleset.timezone)
        self.date: date = local.date()
        self.hour = local.hour
        self.labels: dict[str, str] = {}

    def label(self, per: str) -> str:
        found = self.labels.get(per)
        if found is None:
            found = self.labels[per] = window_label(per, self.date)
        return found


def judge(
    ruleset: Ruleset,
    event: Event,
    state: State,
    *,
    actor: Profile | None = None,
    subject: Profile | None = None,
    on_error: ErrorHook | None = None,
) -> list[Decision]:
    """Every award this event earns under `ruleset`, updating `state` as it goes."""
    plan = ruleset.plans.get(event.type)
    if plan is None:
        return []
    local = _Local(event.at, ruleset)
    context = _context(plan, event, local, actor, subject) if plan.needs_cel else None
    decisions: list[Decision] = []
    for rule in plan.rules:
        if (rule.active_from is not None and local.date < rule.active_from) or (
            rule.active_until is not None and local.date > rule.active_until
        ):
            continue
        if rule.when is not None:
            try:
                if rule.when.execute(context) is not True:
                    continue
            except _EVAL_ERRORS as exc:
                if on_error is not None:
                    on_error(rule.id, event, exc)
                continue
        if rule.to == "actor":
            beneficiary = event.actor
        else:
            beneficiary = _beneficiary(rule, event, context, on_error)
            # No self-kudos, no points for reacting to one's own post.
            if not beneficiary or beneficiary == event.actor:
                continue
        if rule.tiers:
            _tiers(ruleset, rule, event, beneficiary, local, state, decisions)
        else:
            _plain(ruleset, rule, event, beneficiary, local, state, decisions)
    return decisions


def _context(
    plan: EventPlan,
    event: Event,
    local: _Local,
    actor: Profile | None,
    subject: Profile | None,
) -> cel.Context:
    # A field the event or profile lacks stays unbound: reading it is an error,
    # so the rule does not match, as with a missing key in a CEL map.
    variables: dict[str, Any] = {}
    for flat, root, name, presence in plan.variables:
        found, value = _lookup(root, name, event, local, actor, subject)
        if presence:
            variables[flat] = found
        elif found:
            variables[flat] = value
    return cel.Context(variables=variables)


def _lookup(
    root: str,
    name: str,
    event: Event,
    local: _Local,
    actor: Profile | None,
    subject: Profile | None,
) -> tuple[bool, Any]:
    if root == "event":
        values = event.fields
        if name in values:
            return True, values[name]
        common = _COMMON.get(name)
        return (True, common(event, local)) if common is not None else (False, None)
    user_id: str | None
    if root == "actor":
        user_id, profile = event.actor, actor
    else:
        user_id, profile = event.subject, subject
        if user_id is None:  # no subject: `subject` is null, its fields unreadable
            return name == "id", None
    if name == "id":
        return True, user_id
    if profile is None or name not in profile:
        return False, None
    return True, profile[name]


_COMMON: dict[str, Callable[[Event, _Local], Any]] = {
    "id": lambda e, _: e.id,
    "type": lambda e, _: e.type,
    "actor": lambda e, _: e.actor,
    "at": lambda e, _: e.at,
    "subject": lambda e, _: e.subject,
    "hour": lambda _, local: local.hour,
    "weekday": lambda _, local: local.date.isoweekday(),
}


def _beneficiary(
    rule: CompiledRule, event: Event, context: cel.Context | None, on_error: ErrorHook | None
) -> str:
    """The user `to:` names; "" when there is none."""
    if rule.to == "subject":
        return event.subject or ""
    assert rule.to_program is not None
    try:
        found = rule.to_program.execute(context)
    except _EVAL_ERRORS as exc:
        if on_error is not None:
            on_error(rule.id, event, exc)
        return ""
    return found if isinstance(found, str) else ""


def _within_limits(
    rule: CompiledRule, event: Event, beneficiary: str, local: _Local, state: State
) -> tuple[Counted, ...] | None:
    """The counters after this award, or None when a limit is reached."""
    limits = rule.limits
    if not limits:
        return ()
    if len(limits) == 1:  # the usual case, without the bookkeeping for several
        limit = limits[0]
        key = _new(
            CounterKey,
            (rule.id, limit.per, local.label(limit.per), _parts(limit.key, event, beneficiary)),
        )
        count = state.count(key)
        if count >= limit.max:
            return None
        state.increment(key)
        return (_new(Counted, (count + 1, limit.max, limit.per, key.window)),)
    keys = []
    for limit in limits:
        key = _new(
            CounterKey,
            (rule.id, limit.per, local.label(limit.per), _parts(limit.key, event, beneficiary)),
        )
        count = state.count(key)
        if count >= limit.max:
            return None
        keys.append((key, count, limit.max))
    for key, _, _ in keys:
        state.increment(key)
    return tuple(
        _new(Counted, (count + 1, maximum, key.per, key.window)) for key, count, maximum in keys
    )


def _parts(names: tuple[str, ...], event: Event, beneficiary: str) -> tuple[tuple[str, str], ...]:
    if names == _BY_BENEFICIARY:
        return (("beneficiary", beneficiary),)
    return tuple((name, _key_part(name, event, beneficiary)) for name in names)


_BY_BENEFICIARY = ("beneficiary",)


def _key_part(name: str, event: Event, beneficiary: str) -> str:
    if name == "beneficiary":
        return beneficiary
    if name == "actor":
        return event.actor
    return event.subject or ""


def _plain(
    ruleset: Ruleset,
    rule: CompiledRule,
    event: Event,
    beneficiary: str,
    local: _Local,
    state: State,
    out: list[Decision],
) -> None:
    assert rule.award is not None
    award = rule.award
    note = ""
    if rule.streak_days is not None:
        days = rule.streak_days
        previous = state.streak(rule.id, beneficiary)
        if previous.last_day == local.date:
            return  # a second login the same day neither extends nor awards
        progress = _advance_streak(previous, local.date)
        state.set_streak(rule.id, beneficiary, progress)
        if progress.length % days:
            return
        note = f"{days} consecutive days ending {local.date.isoformat()}"
    badge = award.badge
    if badge is not None and state.has_badge(beneficiary, badge):
        badge = None  # a badge is awarded once per person
        if not award.points and not award.spins:
            return
    counted = _within_limits(rule, event, beneficiary, local, state)
    if counted is None:
        return
    _emit(ruleset, rule, event, beneficiary, award, badge, "", note, counted, state, out)


def _advance_streak(progress: StreakProgress, day: date) -> StreakProgress:
    if progress.last_day is not None and (day - progress.last_day).days == 1:
        return StreakProgress(day, progress.length + 1)
    return StreakProgress(day, 1)


def _tiers(
    ruleset: Ruleset,
    rule: CompiledRule,
    event: Event,
    beneficiary: str,
    local: _Local,
    state: State,
    out: list[Decision],
) -> None:
    # Limits cap which events count towards the tiers.
    counted = _within_limits(rule, event, beneficiary, local, state)
    if counted is None:
        return
    progress = state.tier_progress(rule.id, beneficiary)
    count = progress.events + 1
    awarded = progress.awarded
    for tier in rule.tiers:
        # Every tier reached and not yet awarded, so an event that crosses two
        # (after a tier was added below the current count) awards both.
        if tier.at > count or tier.at in awarded:
            continue
        awarded = awarded | {tier.at}
        badge = tier.award.badge
        if badge is not None and state.has_badge(beneficiary, badge):
            badge = None
        note = f"tier at {tier.at}: {count} matching {event.type} events"
        _emit(
            ruleset,
            rule,
            event,
            beneficiary,
            tier.award,
            badge,
            str(tier.at),
            note,
            counted,
            state,
            out,
        )
    state.set_tier_progress(rule.id, beneficiary, TierProgress(count, awarded))


def _emit(
    ruleset: Ruleset,
    rule: CompiledRule,
    event: Event,
    beneficiary: str,
    award: AwardSpec,
    badge: str | None,
    part: str,
    note: str,
    counted: tuple[Counted, ...],
    state: State,
    out: list[Decision],
) -> None:
    version, rule_id, event_id, type_, at, actor = (
        ruleset.version,
        rule.id,
        event.id,
        event.type,
        event.at,
        event.actor,
    )
    if award.points:
        out.append(
            _new(
                Decision,
                (
                    version,
                    rule_id,
                    event_id,
                    type_,
                    at,
                    actor,
                    beneficiary,
                    "points",
                    award.points,
                    None,
                    part,
                    note,
                    counted,
                ),
            )
        )
    if award.spins:
        out.append(
            _new(
                Decision,
                (
                    version,
                    rule_id,
                    event_id,
                    type_,
                    at,
                    actor,
                    beneficiary,
                    "spins",
                    award.spins,
                    None,
                    part,
                    note,
                    counted,
                ),
            )
        )
    if badge is not None:
        state.grant_badge(beneficiary, badge)
        out.append(
            _new(
                Decision,
                (
                    version,
                    rule_id,
                    event_id,
                    type_,
                    at,
                    actor,
                    beneficiary,
                    "badge",
                    1,
                    badge,
                    part,
                    note,
                    counted,
                ),
            )
        )
