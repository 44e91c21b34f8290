"""A checked, compiled ruleset: what the engine runs."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, tzinfo
from importlib import resources
from pathlib import Path as FilePath

import cel

from rules.checker import Compiled, check
from rules.errors import Problem, RulesetInvalid
from rules.expr import flat_name
from rules.model import Award, Badge, Case, Rule
from rules.source import canonical_bytes, parse
from rules.validate import validate


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
    reverse_on_delete: bool = False


@dataclass(frozen=True, slots=True)
class EventPlan:
    """The rules of one event type and the values their expressions read."""

    rules: tuple[CompiledRule, ...]
    # (flat variable, root, field, presence flag?):
    # ("event__body_length", "event", "body_length", False)
    variables: tuple[tuple[str, str, str, bool], ...]
    needs_cel: bool


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
        reverse_on_delete=rule.reverse_on_delete,
    )


def _plans(
    rules: tuple[CompiledRule, ...],
    expressions: Mapping[tuple[int, str], Compiled],
) -> dict[str, EventPlan]:
    plans: dict[str, EventPlan] = {}
    for event_type in dict.fromkeys(rule.event for rule in rules):
        indexes = [i for i, rule in enumerate(rules) if rule.event == event_type]
        used = [
            expressions[key]
            for i in indexes
            for key in ((i, "when"), (i, "to"))
            if key in expressions
        ]
        reads: set[tuple[str, str]] = set()
        presence: set[tuple[str, str]] = set()
        for compiled in used:
            reads |= compiled.analysis.reads
            presence |= compiled.analysis.presence
        variables = [(flat_name(root, name), root, name, False) for root, name in sorted(reads)]
        variables += [
            (flat_name(root, name, present=True), root, name, True)
            for root, name in sorted(presence)
        ]
        plans[event_type] = EventPlan(
            rules=tuple(rules[i] for i in indexes),
            variables=tuple(variables),
            needs_cel=bool(used),
        )
    return plans
