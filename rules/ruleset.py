"""A checked, compiled ruleset: what the engine runs."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from importlib import resources
from pathlib import Path as FilePath

import cel

from rules.checker import Compiled, check, reverse_link
from rules.errors import Problem, RulesetInvalid
from rules.events import COMMON_FIELDS, DERIVED_FIELDS
from rules.expr import flat_name
from rules.model import Award, Badge, Case, Rule
from rules.source import canonical_bytes, parse
from rules.validate import validate
from rules.windows import window_label


@dataclass(frozen=True, slots=True)
class AwardSpec:
    points: int
    spins: int
    badge: str | None

    @classmethod
    def of(cls, award: Award) -> AwardSpec:
        return cls(award.points, award.spins, award.badge)


@dataclass(frozen=True, slots=True)
class LimitSpec:
    max: int
    per: str
    key: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TierSpec:
    at: int
    award: AwardSpec


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    title: Mapping[str, str]
    event: str
    when: cel.Program | None
    to: str  # "actor", "subject", or "expr" (then `to_program` gives the user id)
    to_program: cel.Program | None
    award: AwardSpec | None
    tiers: tuple[TierSpec, ...]
    streak_days: int | None
    limits: tuple[LimitSpec, ...]
    active_from: date | None
    active_until: date | None
    # `reverse_on`: the event type that takes this rule's points and spins back,
    # and the field both event types carry that links the two (e.g. post_id).
    reverse_on: str | None = None
    reverse_link: str | None = None


# A limit on one day, its window label resolved: (per, label, max, key parts),
# key parts None for the usual beneficiary-only key.
DayLimit = tuple[str, str, int, tuple[str, ...] | None]
# A rule active on one day: (rule, index of its `when` in the batch result or
# -1, index of its `to` or -1, its limits on that day).
Step = tuple[CompiledRule, int, int, tuple[DayLimit, ...]]
# (flat variable, field): what the engine binds from one root.
Reads = tuple[tuple[str, str], ...]

_DAYS_KEPT = 1024  # days cached per plan: a replay of three years stays cached


@dataclass(frozen=True, slots=True)
class EventPlan:
    """The rules of one event type and the values their expressions read."""

    rules: tuple[CompiledRule, ...]
    # (flat variable, root, field, presence flag?):
    # ("event__body_length", "event", "body_length", False)
    variables: tuple[tuple[str, str, str, bool], ...]
    needs_cel: bool
    # Every `when` and `to` of these rules as one CEL list, evaluated with one
    # binding per event: one call costs ~0.6 us plus the expression, and ten
    # separate calls cost ~4 us more than one. None when no rule has any.
    batch: cel.Program | None = None
    # `variables` split by root; names in `event_common` may also come from the
    # event's own fields (they are looked up there first).
    event_reads: Reads = ()
    event_common: Reads = ()
    actor_reads: Reads = ()
    subject_reads: Reads = ()
    presence: tuple[tuple[str, str, str], ...] = ()  # (flat flag, root, field)
    # Rules of other event types whose awards an event of this type reverses.
    reversals: tuple[CompiledRule, ...] = ()
    slots: tuple[tuple[int, int], ...] = ()  # per rule: (when, to) index in the batch
    # The engine's cache of `on(day)`; a rule's steps depend only on the day.
    days: dict[date, tuple[Step, ...]] = field(default_factory=dict)

    def on(self, day: date) -> tuple[Step, ...]:
        """The rules active on `day` (in the file's zone), limits labelled for it."""
        found = self.days.get(day)
        if found is None:
            if len(self.days) >= _DAYS_KEPT:
                self.days.clear()
            found = self.days[day] = tuple(
                (rule, when, to, _day_limits(rule, day))
                for rule, (when, to) in zip(self.rules, self.slots, strict=True)
                if (rule.active_from is None or day >= rule.active_from)
                and (rule.active_until is None or day <= rule.active_until)
            )
        return found


def _day_limits(rule: CompiledRule, day: date) -> tuple[DayLimit, ...]:
    return tuple(
        (
            limit.per,
            window_label(limit.per, day),
            limit.max,
            None if limit.key == ("beneficiary",) else limit.key,
        )
        for limit in rule.limits
    )


@dataclass(frozen=True, slots=True)
class Ruleset:
    version: str  # sha256 of the canonical file bytes
    path: str
    timezone: tzinfo
    badges: Mapping[str, Badge]
    rules: tuple[CompiledRule, ...]
    plans: Mapping[str, EventPlan]
    tests: tuple[Case, ...]

    def rule(self, rule_id: str) -> CompiledRule:
        return next(r for r in self.rules if r.id == rule_id)


def check_text(text: str, path: str = "<string>", default_timezone: str = "UTC") -> list[Problem]:
    try:
        load_ruleset(text, path, default_timezone)
    except RulesetInvalid as exc:
        return exc.problems
    return []


def check_ruleset(text: str, path: str = "<string>") -> tuple[str, list[Problem]]:
    """The version and every problem `load_ruleset` would raise, without building the
    Ruleset (the editor's check while typing)."""
    try:
        doc = parse(text, path)
    except RulesetInvalid as exc:
        return "", exc.problems
    model, problems = validate(doc)
    if model is None:
        return "", problems
    checked = check(doc, model)
    if checked.problems:
        return "", checked.problems
    return hashlib.sha256(canonical_bytes(text)).hexdigest(), []


def load_ruleset(text: str, path: str = "<string>", default_timezone: str = "UTC") -> Ruleset:
    """Parse, validate, check and compile; raises RulesetInvalid with every problem."""
    doc = parse(text, path)
    model, problems = validate(doc)
    if model is None:
        raise RulesetInvalid(problems)
    checked = check(doc, model)
    if checked.problems:
        raise RulesetInvalid(checked.problems)
    rules = tuple(
        _compile(index, rule, checked.expressions) for index, rule in enumerate(model.rules)
    )
    return Ruleset(
        version=hashlib.sha256(canonical_bytes(text)).hexdigest(),
        path=path,
        timezone=zoneinfo.ZoneInfo(model.timezone or default_timezone),
        badges=dict(model.badges),
        rules=rules,
        plans=_plans(rules, checked.expressions),
        tests=tuple(model.tests),
    )


def load_file(path: str | FilePath, default_timezone: str = "UTC") -> Ruleset:
    return load_ruleset(FilePath(path).read_text(encoding="utf-8"), str(path), default_timezone)


def default_text() -> str:
    return resources.files("rules").joinpath("default.yaml").read_text(encoding="utf-8")


def load_default(default_timezone: str = "UTC") -> Ruleset:
    return load_ruleset(default_text(), "rules/default.yaml", default_timezone)


def _compile(
    index: int, rule: Rule, expressions: Mapping[tuple[int, str], Compiled]
) -> CompiledRule:
    when = expressions.get((index, "when"))
    to = expressions.get((index, "to"))
    active = rule.active
    link = (
        reverse_link(rule.event, rule.reverse_on.event, rule.reverse_on.link)[0]
        if rule.reverse_on
        else None
    )
    return CompiledRule(
        id=rule.id,
        title=dict(rule.title or {"en": rule.id}),
        event=rule.event,
        when=when.program if when else None,
        to=rule.to if rule.to in ("actor", "subject") else "expr",
        to_program=to.program if to else None,
        award=AwardSpec.of(rule.award) if rule.award else None,
        tiers=tuple(TierSpec(t.at, AwardSpec.of(t.award)) for t in rule.tiers or ()),
        streak_days=rule.streak.days if rule.streak else None,
        limits=tuple(LimitSpec(lim.max, lim.per, tuple(lim.key)) for lim in rule.limits),
        active_from=active.from_ if active else None,
        active_until=active.until if active else None,
        reverse_on=rule.reverse_on.event if rule.reverse_on else None,
        reverse_link=link,
    )


def _plans(
    rules: tuple[CompiledRule, ...],
    expressions: Mapping[tuple[int, str], Compiled],
) -> dict[str, EventPlan]:
    plans: dict[str, EventPlan] = {}
    reversed_by: dict[str, list[CompiledRule]] = {}
    for rule in rules:
        if rule.reverse_on is not None:
            reversed_by.setdefault(rule.reverse_on, []).append(rule)
    for event_type in dict.fromkeys([rule.event for rule in rules] + list(reversed_by)):
        indexes = [i for i, rule in enumerate(rules) if rule.event == event_type]
        plans[event_type] = _plan(
            rules, indexes, expressions, tuple(reversed_by.get(event_type, ()))
        )
    return plans


def _plan(
    rules: tuple[CompiledRule, ...],
    indexes: list[int],
    expressions: Mapping[tuple[int, str], Compiled],
    reversals: tuple[CompiledRule, ...],
) -> EventPlan:
    used = [
        expressions[key] for i in indexes for key in ((i, "when"), (i, "to")) if key in expressions
    ]
    reads: set[tuple[str, str]] = set()
    presence: set[tuple[str, str]] = set()
    for compiled in used:
        reads |= compiled.analysis.reads
        presence |= compiled.analysis.presence
    variables = [(flat_name(root, name), root, name, False) for root, name in sorted(reads)]
    variables += [
        (flat_name(root, name, present=True), root, name, True) for root, name in sorted(presence)
    ]
    # One list for the whole type; identical expressions (two rules with the
    # same condition) share an entry.
    sources: dict[str, int] = {}
    slots = []
    for i in indexes:
        slot = []
        for part in ("when", "to"):
            found = expressions.get((i, part))
            if found is None:
                slot.append(-1)
            else:
                source = found.analysis.flat_source
                slot.append(sources.setdefault(source, len(sources)))
        slots.append((slot[0], slot[1]))
    batch = cel.compile("[" + ", ".join(f"({s})" for s in sources) + "]") if sources else None
    common = {**COMMON_FIELDS, **DERIVED_FIELDS}
    by_root = {
        root: tuple((flat, name) for flat, r, name, flag in variables if r == root and not flag)
        for root in ("event", "actor", "subject")
    }
    return EventPlan(
        rules=tuple(rules[i] for i in indexes),
        variables=tuple(variables),
        needs_cel=bool(used),
        batch=batch,
        event_reads=tuple((f, n) for f, n in by_root["event"] if n not in common),
        event_common=tuple((f, n) for f, n in by_root["event"] if n in common),
        actor_reads=by_root["actor"],
        subject_reads=by_root["subject"],
        presence=tuple((flat, root, name) for flat, root, name, flag in variables if flag),
        reversals=reversals,
        slots=tuple(slots),
    )
