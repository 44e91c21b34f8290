"""Rules x event x state -> decisions, each carrying why it was made.

Pure: no clock (events carry their time), no database (state is a protocol), no
randomness. Callers feed events in time order, ties broken by event id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Decision:
    id: str  # deterministic; the settlement layer keeps it unique
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
    because: str  # the counter that allowed it, e.g. "3 of 3 this day (2026-03-03)"

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
        beneficiary = _beneficiary(rule, event, context, on_error)
        if not beneficiary:
            continue
        # No self-kudos, no points for reacting to one's own post.
        if rule.to != "actor" and beneficiary == event.actor:
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
    values = event.fields
    data: dict[str, Any] = {}
    for name in plan.event_fields:
        if name in values:
            data[name] = values[name]
        elif name in _COMMON:
            data[name] = _COMMON[name](event, local)
    variables: dict[str, Any] = {"event": data}
    if plan.actor_fields is not None:
        variables["actor"] = _profile(plan.actor_fields, event.actor, actor)
    if plan.subject_fields is not None:
        variables["subject"] = (
            None if event.subject is None else _profile(plan.subject_fields, event.subject, subject)
        )
    return cel.Context(variables=variables)


_COMMON: dict[str, Callable[[Event, _Local], Any]] = {
    "id": lambda e, _: e.id,
    "type": lambda e, _: e.type,
    "actor": lambda e, _: e.actor,
    "at": lambda e, _: e.at,
    "subject": lambda e, _: e.subject,
    "hour": lambda _, local: local.hour,
    "weekday": lambda _, local: local.date.isoweekday(),
}


def _profile(names: tuple[str, ...], user_id: str, profile: Profile | None) -> dict[str, Any]:
    # An unknown user still has an id; other fields are absent, so a condition on
    # them does not match rather than matching on an empty string.
    if profile is None:
        return {"id": user_id}
    out = {name: profile[name] for name in names if name in profile}
    out["id"] = user_id
    return out


def _beneficiary(
    rule: CompiledRule, event: Event, context: cel.Context | None, on_error: ErrorHook | None
) -> str | None:
    if rule.to == "actor":
        return event.actor
    if rule.to == "subject":
        return event.subject
    assert rule.to_program is not None
    try:
        found = rule.to_program.execute(context)
    except _EVAL_ERRORS as exc:
        if on_error is not None:
            on_error(rule.id, event, exc)
        return None
    return found if isinstance(found, str) else None


def _counters(
    rule: CompiledRule, event: Event, beneficiary: str, local: _Local
) -> list[tuple[CounterKey, int]]:
    parts = {"beneficiary": beneficiary, "actor": event.actor, "subject": event.subject or ""}
    return [
        (
            CounterKey(
                rule.id,
                limit.per,
                local.label(limit.per),
                tuple((name, parts[name]) for name in limit.key),
            ),
            limit.max,
        )
        for limit in rule.limits
    ]


def _within_limits(
    rule: CompiledRule, event: Event, beneficiary: str, local: _Local, state: State
) -> list[str] | None:
    """The counters' explanations after this award, or None when a limit is reached."""
    if not rule.limits:
        return []
    keys = _counters(rule, event, beneficiary, local)
    used = []
    for key, maximum in keys:
        count = state.count(key)
        if count >= maximum:
            return None
        used.append(count)
    for key, _ in keys:
        state.increment(key)
    return [
        describe(count + 1, maximum, key.per, key.window)
        for (key, maximum), count in zip(keys, used, strict=True)
    ]


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
    because = ""
    if rule.streak_days is not None:
        days = rule.streak_days
        previous = state.streak(rule.id, beneficiary)
        if previous.last_day == local.date:
            return  # a second login the same day neither extends nor awards
        progress = _advance_streak(previous, local.date)
        state.set_streak(rule.id, beneficiary, progress)
        if progress.length % days:
            return
        because = f"{days} consecutive days ending {local.date.isoformat()}"
    badge = award.badge
    if badge is not None and state.has_badge(beneficiary, badge):
        badge = None  # a badge is awarded once per person
    if not award.points and not award.spins and badge is None:
        return
    counted = _within_limits(rule, event, beneficiary, local, state)
    if counted is None:
        return
    because = "; ".join(filter(None, [because, *counted])) or "no limit"
    _emit(
        ruleset,
        rule,
        event,
        beneficiary,
        AwardSpec(award.points, award.spins, badge),
        because,
        "",
        state,
        out,
    )


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
    if _within_limits(rule, event, beneficiary, local, state) is None:
        return
    progress = state.tier_progress(rule.id, beneficiary)
    count = progress.count + 1
    awarded = set(progress.awarded)
    for tier in rule.tiers:
        # Every tier reached and not yet awarded, so an event that crosses two
        # (after a tier was added below the current count) awards both.
        if tier.at > count or tier.at in awarded:
            continue
        awarded.add(tier.at)
        badge = tier.award.badge
        if badge is not None and state.has_badge(beneficiary, badge):
            badge = None
        because = f"tier at {tier.at}: {count} matching {event.type} events"
        _emit(
            ruleset,
            rule,
            event,
            beneficiary,
            AwardSpec(tier.award.points, tier.award.spins, badge),
            because,
            str(tier.at),
            state,
            out,
        )
    state.set_tier_progress(rule.id, beneficiary, TierProgress(count, frozenset(awarded)))


def _emit(
    ruleset: Ruleset,
    rule: CompiledRule,
    event: Event,
    beneficiary: str,
    award: AwardSpec,
    because: str,
    part: str,
    state: State,
    out: list[Decision],
) -> None:
    items: list[tuple[str, int, str | None]] = []
    if award.points:
        items.append(("points", award.points, None))
    if award.spins:
        items.append(("spins", award.spins, None))
    if award.badge is not None:
        state.grant_badge(beneficiary, award.badge)
        items.append(("badge", 1, award.badge))
    for kind, amount, badge in items:
        out.append(
            Decision(
                id=decision_id(event.id, rule.id, beneficiary, kind, part),
                ruleset_version=ruleset.version,
                rule_id=rule.id,
                event_id=event.id,
                event_type=event.type,
                at=event.at,
                actor=event.actor,
                beneficiary=beneficiary,
                kind=kind,
                amount=amount,
                badge=badge,
                because=because,
            )
        )
