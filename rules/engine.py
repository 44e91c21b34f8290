"""Rules x event x state -> decisions, each carrying why it was made.

Pure: no clock (events carry their time), no database (state is a protocol), no
randomness. Callers feed events in time order, ties broken by event id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import cel

from rules.events import COMMON_FIELDS
from rules.ruleset import AwardSpec, CompiledRule, DayLimit, EventPlan, Ruleset
from rules.state import AwardRecord, CounterKey, State, StreakProgress, TierProgress
from rules.windows import describe

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
    # For a reversal (a negative amount, see `reverse_on`): the id of the award
    # it takes back. None for an award.
    reverses: str | None = None

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
            "reverses": self.reverses,
        }


def decision_id(event_id: str, rule_id: str, beneficiary: str, kind: str, part: str = "") -> str:
    # `part` tells apart two tiers crossed by one event; empty otherwise.
    raw = "\x1f".join((event_id, rule_id, beneficiary, kind, part))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


_new = tuple.__new__  # skips a named tuple's Python-level __new__: half its cost


def judge(
    ruleset: Ruleset,
    event: Event,
    state: State,
    *,
    actor: Profile | None = None,
    subject: Profile | None = None,
    on_error: ErrorHook | None = None,
) -> list[Decision]:
    """Every award this event earns under `ruleset`, updating `state` as it goes.

    And, for an event that reverses earlier awards (`reverse_on`), the reversals.
    """
    plan = ruleset.plans.get(event.type)
    if plan is None:
        return []
    local = event.at.astimezone(ruleset.timezone)
    decisions: list[Decision] = []
    if plan.reversals:
        _reverse(ruleset, plan, event, state, decisions)
    steps = plan.on(local.date())
    if not steps:
        return decisions
    results: list[Any] | None = None
    context: cel.Context | None = None
    if plan.batch is not None:
        variables, complete = _bind(plan, event, local, actor, subject)
        if complete:
            try:
                results = plan.batch.execute(variables)
            except _EVAL_ERRORS:
                results = None
        if results is None:
            # A field is absent or a condition failed on this event: judge rule
            # by rule, so each error is reported against its own rule.
            context = cel.Context(variables=variables)
    actor_id = event.actor
    for rule, when, to, limits in steps:
        if when >= 0:
            if results is not None:
                if results[when] is not True:
                    continue
            else:
                assert rule.when is not None
                try:
                    if rule.when.execute(context) is not True:
                        continue
                except _EVAL_ERRORS as exc:
                    if on_error is not None:
                        on_error(rule.id, event, exc)
                    continue
        if rule.to == "actor":
            beneficiary = actor_id
        else:
            if rule.to == "subject":
                beneficiary = event.subject or ""
            elif results is not None:
                found = results[to]
                beneficiary = found if isinstance(found, str) else ""
            else:
                beneficiary = _beneficiary(rule, event, context, on_error)
            # No self-kudos, no points for reacting to one's own post.
            if not beneficiary or beneficiary == actor_id:
                continue
        if rule.tiers:
            _tiers(ruleset, rule, event, beneficiary, limits, state, decisions)
            continue
        award = rule.award
        assert award is not None
        note = ""
        if rule.streak_days is not None:
            note = _streak(rule, rule.streak_days, beneficiary, local.date(), state)
            if not note:
                continue
        badge = award.badge
        if badge is not None and state.has_badge(beneficiary, badge):
            badge = None  # a badge is awarded once per person
            if not award.points and not award.spins:
                continue
        if not limits:
            counted: tuple[Counted, ...] | None = ()
        elif len(limits) == 1:  # the usual case, without the bookkeeping for several
            per, label, maximum, names = limits[0]
            key = _new(
                CounterKey,
                (
                    rule.id,
                    per,
                    label,
                    (("beneficiary", beneficiary),)
                    if names is None
                    else _parts(names, event, beneficiary),
                ),
            )
            count = state.count(key)
            if count >= maximum:
                continue
            state.increment(key)
            counted = (_new(Counted, (count + 1, maximum, per, label)),)
        else:
            counted = _within_limits(rule, limits, event, beneficiary, state)
        if counted is None:
            continue
        _emit(ruleset, rule, event, beneficiary, award, badge, "", note, counted, state, decisions)
    return decisions


def conditions(
    ruleset: Ruleset,
    event: Event,
    *,
    actor: Profile | None = None,
    subject: Profile | None = None,
) -> list[bool]:
    """Whether each rule of the event's type has its `when` hold, in file order.

    Conditions only, as `judge` evaluates them: no active dates, `to`, limits or
    state. A rule without `when` holds; one whose condition fails on this event
    does not.
    """
    plan = ruleset.plans.get(event.type)
    if plan is None:
        return []
    if plan.batch is None:
        return [True] * len(plan.rules)
    local = event.at.astimezone(ruleset.timezone)
    variables, complete = _bind(plan, event, local, actor, subject)
    if complete:
        try:
            results = plan.batch.execute(variables)
        except _EVAL_ERRORS:
            pass
        else:
            return [when < 0 or results[when] is True for when, _ in plan.slots]
    context = cel.Context(variables=variables)
    return [rule.when is None or _holds(rule.when, context) for rule in plan.rules]


def _holds(program: cel.Program, context: cel.Context) -> bool:
    try:
        return program.execute(context) is True
    except _EVAL_ERRORS:
        return False


def _bind(
    plan: EventPlan,
    event: Event,
    local: datetime,
    actor: Profile | None,
    subject: Profile | None,
) -> tuple[dict[str, Any], bool]:
    """The flat CEL variables this event's rules read, and whether all are bound.

    A field the event or profile lacks stays unbound: reading it is an error, so
    the rule does not match, as with a missing key in a CEL map.
    """
    variables: dict[str, Any] = {}
    complete = True
    fields = event.fields
    for flat, name in plan.event_reads:
        if name in fields:
            variables[flat] = fields[name]
        else:
            complete = False
    for flat, name in plan.event_common:
        variables[flat] = fields[name] if name in fields else _COMMON[name](event, local)
    if plan.actor_reads:
        complete &= _bind_user(variables, plan.actor_reads, event.actor, actor)
    if plan.subject_reads:
        complete &= _bind_user(variables, plan.subject_reads, event.subject, subject)
    for flat, root, name in plan.presence:
        if root == "event":
            variables[flat] = name in fields or name in _COMMON
        else:
            profile = actor if root == "actor" else subject
            user_id = event.actor if root == "actor" else event.subject
            # `id` is always there: null when the event is about nobody.
            variables[flat] = name == "id" or (
                user_id is not None and profile is not None and name in profile
            )
    return variables, complete


def _bind_user(
    variables: dict[str, Any],
    reads: tuple[tuple[str, str], ...],
    user_id: str | None,
    profile: Profile | None,
) -> bool:
    complete = True
    for flat, name in reads:
        if name == "id":
            variables[flat] = user_id  # null when the event is about nobody
        elif user_id is not None and profile is not None and name in profile:
            variables[flat] = profile[name]
        else:
            complete = False
    return complete


_COMMON: dict[str, Callable[[Event, datetime], Any]] = {
    "id": lambda e, _: e.id,
    "type": lambda e, _: e.type,
    "actor": lambda e, _: e.actor,
    "at": lambda e, _: e.at,
    "subject": lambda e, _: e.subject,
    "hour": lambda _, local: local.hour,
    "weekday": lambda _, local: local.isoweekday(),
}


def _beneficiary(
    rule: CompiledRule, event: Event, context: cel.Context | None, on_error: ErrorHook | None
) -> str:
    """The user an expression `to:` names; "" when there is none."""
    assert rule.to_program is not None
    try:
        found = rule.to_program.execute(context)
    except _EVAL_ERRORS as exc:
        if on_error is not None:
            on_error(rule.id, event, exc)
        return ""
    return found if isinstance(found, str) else ""


def _within_limits(
    rule: CompiledRule,
    limits: tuple[DayLimit, ...],
    event: Event,
    beneficiary: str,
    state: State,
) -> tuple[Counted, ...] | None:
    """The counters after this award, or None when a limit is reached."""
    keys = []
    for per, label, maximum, names in limits:
        parts = (
            (("beneficiary", beneficiary),) if names is None else _parts(names, event, beneficiary)
        )
        key = _new(CounterKey, (rule.id, per, label, parts))
        count = state.count(key)
        if count >= maximum:
            return None
        keys.append((key, count, maximum))
    for key, _, _ in keys:
        state.increment(key)
    return tuple(
        _new(Counted, (count + 1, maximum, key.per, key.window)) for key, count, maximum in keys
    )


def _parts(names: tuple[str, ...], event: Event, beneficiary: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, _key_part(name, event, beneficiary)) for name in names)


def _key_part(name: str, event: Event, beneficiary: str) -> str:
    if name == "beneficiary":
        return beneficiary
    if name == "actor":
        return event.actor
    return event.subject or ""


def _streak(rule: CompiledRule, days: int, beneficiary: str, day: date, state: State) -> str:
    """The note of a streak award on `day`, or "" when there is none."""
    previous = state.streak(rule.id, beneficiary)
    if previous.last_day == day:
        return ""  # a second login the same day neither extends nor awards
    if previous.last_day is not None and (day - previous.last_day).days == 1:
        progress = StreakProgress(day, previous.length + 1)
    else:
        progress = StreakProgress(day, 1)
    state.set_streak(rule.id, beneficiary, progress)
    if progress.length % days:
        return ""
    return f"{days} consecutive days ending {day.isoformat()}"


def _tiers(
    ruleset: Ruleset,
    rule: CompiledRule,
    event: Event,
    beneficiary: str,
    limits: tuple[DayLimit, ...],
    state: State,
    out: list[Decision],
) -> None:
    # Limits cap which events count towards the tiers.
    counted = _within_limits(rule, limits, event, beneficiary, state) if limits else ()
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
    state.set_tier_progress(rule.id, beneficiary, _new(TierProgress, (count, awarded)))


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
    head = (ruleset.version, rule.id, event.id, event.type, event.at, event.actor, beneficiary)
    first = len(out)
    if award.points:
        out.append(_new(Decision, (*head, "points", award.points, None, part, note, counted, None)))
    if award.spins:
        out.append(_new(Decision, (*head, "spins", award.spins, None, part, note, counted, None)))
    if badge is not None:
        state.grant_badge(beneficiary, badge)
        out.append(_new(Decision, (*head, "badge", 1, badge, part, note, counted, None)))
    if rule.reverse_link is not None:
        _record(rule, rule.reverse_link, event, out[first:], state)


def _record(
    rule: CompiledRule, link: str, event: Event, made: list[Decision], state: State
) -> None:
    """Remember points and spins that an event of `rule.reverse_on` will take back."""
    value = event.fields.get(link)
    if value is None:
        return
    for decision in made:
        if decision.kind != "badge":  # a badge, once earned, stays
            state.record_award(
                rule.id,
                str(value),
                AwardRecord(decision.id, decision.beneficiary, decision.kind, decision.amount),
            )


def _reverse(
    ruleset: Ruleset, plan: EventPlan, event: Event, state: State, out: list[Decision]
) -> None:
    """Take back what the linked earlier events earned under each reversed rule."""
    for rule in plan.reversals:
        assert rule.reverse_link is not None
        value = event.fields.get(rule.reverse_link)
        if value is None:
            continue
        note = f"reversed by {event.type} of {rule.reverse_link} {value}"
        for record in state.take_awards(rule.id, str(value)):
            out.append(
                Decision(
                    ruleset_version=ruleset.version,
                    rule_id=rule.id,
                    event_id=event.id,
                    event_type=event.type,
                    at=event.at,
                    actor=event.actor,
                    beneficiary=record.beneficiary,
                    kind=record.kind,
                    amount=-record.amount,
                    badge=None,
                    # One reversal per award taken back, each with its own id.
                    part=record.decision_id,
                    note=note,
                    counted=(),
                    reverses=record.decision_id,
                )
            )
