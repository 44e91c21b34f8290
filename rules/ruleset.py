"""A checked, compiled ruleset: what the engine runs."""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path as FilePath

import cel

from rules.checker import Compiled, check, reverse_link
from rules.errors import Problem, RulesetInvalid
from rules.events import COMMON_FIELDS, DERIVED_FIELDS
from rules.expr import flat_name
from rules.model import Award, Badge, Case, Contest, Rule
from rules.source import canonical_bytes, parse
from rules.validate import validate
from rules.windows import window_label


@dataclass(frozen=True, slots=True)
class AwardSpec:
    points: int
    spins: int
    badge: str | None
    item: str | None = None  # a shop item's id (contest prizes only)

    @classmethod
    def of(cls, award: Award) -> AwardSpec:
        return cls(award.points, award.spins, award.badge, getattr(award, "item", None))


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
class PrizeSpec:
    for_: str  # "place" | "over" | "first" (every winner)
    place: int | None
    over: float | None
    award: AwardSpec


@dataclass(frozen=True, slots=True)
class ContestSpec:
    """A checked contest: its window in absolute time, its score and winners."""

    id: str
    title: Mapping[str, str]
    description: Mapping[str, str] | None
    starts: datetime  # aware
    ends: datetime  # aware, exclusive
    grace: timedelta
    timezone: str
    participants: str  # people | store | city | region | department
    per_head: bool
    score: str  # count | sum | points
    event: str | None  # the event type counted or summed
    field: str | None  # the summed field
    rules: frozenset[str]  # points_from
    when_source: str | None
    plan: EventPlan | None  # `when` compiled as a one-rule plan (None: always true)
    mode: str  # top | over | first
    top: int | None
    over: float | None
    first: int | None
    reach: float | None
    prizes: tuple[PrizeSpec, ...]
    announce: bool
    digest: str  # hash of the contest's definition: live standings are kept per digest

    @property
    def final_at(self) -> datetime:
        return self.ends + self.grace

    def status(self, now: datetime) -> str:
        if now < self.starts:
            return "upcoming"
        if now < self.ends:
            return "running"
        if now < self.final_at:
            return "grace"
        return "final"


@dataclass(frozen=True, slots=True)
class Ruleset:
    version: str  # sha256 of the canonical file bytes
    path: str
    timezone: tzinfo
    badges: Mapping[str, Badge]
    rules: tuple[CompiledRule, ...]
    plans: Mapping[str, EventPlan]
    tests: tuple[Case, ...]
    contests: tuple[ContestSpec, ...] = ()

    def rule(self, rule_id: str) -> CompiledRule:
        return next(r for r in self.rules if r.id == rule_id)

    def contest(self, contest_id: str) -> ContestSpec | None:
        return next((c for c in self.contests if c.id == contest_id), None)


def check_text(text: str, path: str = "<string>", default_timezone: str = "UTC") -> list[Problem]:
    try:
        load_ruleset(text, path, default_timezone)
    except RulesetInvalid as exc:
        return exc.problems
    return []


def check_ruleset(
    text: str, path: str = "<string>", shop_items: Collection[str] | None = None
) -> tuple[str, list[Problem]]:
    """The version and every problem `load_ruleset` would raise, without building the
    Ruleset (the editor's check while typing). `shop_items`: see `checker.check`."""
    try:
        doc = parse(text, path)
    except RulesetInvalid as exc:
        return "", exc.problems
    # Sorted like RulesetInvalid sorts them, so the editor lists what `load_ruleset` says.
    model, problems = validate(doc)
    if model is None:
        return "", sorted(problems)
    checked = check(doc, model, shop_items)
    if checked.problems:
        return "", sorted(checked.problems)
    return hashlib.sha256(canonical_bytes(text)).hexdigest(), []


def load_ruleset(
    text: str,
    path: str = "<string>",
    default_timezone: str = "UTC",
    shop_items: Collection[str] | None = None,
) -> Ruleset:
    """Parse, validate, check and compile; raises RulesetInvalid with every problem."""
    doc = parse(text, path)
    model, problems = validate(doc)
    if model is None:
        raise RulesetInvalid(problems)
    checked = check(doc, model, shop_items)
    if checked.problems:
        raise RulesetInvalid(checked.problems)
    rules = tuple(
        _compile(index, rule, checked.expressions) for index, rule in enumerate(model.rules)
    )
    zone_name = model.timezone or default_timezone
    zone = zoneinfo.ZoneInfo(zone_name)
    contests = tuple(
        _contest(c, checked.contest_when.get(i), zone, zone_name)
        for i, c in enumerate(model.contests)
    )
    return Ruleset(
        version=hashlib.sha256(canonical_bytes(text)).hexdigest(),
        path=path,
        timezone=zoneinfo.ZoneInfo(model.timezone or default_timezone),
        badges=dict(model.badges),
        rules=rules,
        plans=_plans(rules, checked.expressions),
        tests=tuple(model.tests),
        contests=contests,
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


_DURATION = re.compile(r"^(\d+)\s*([dhm])$")


def duration(text: str) -> timedelta:
    found = _DURATION.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not like 2d, 12h or 30m")
    unit = {"d": "days", "h": "hours", "m": "minutes"}[found[2]]
    return timedelta(**{unit: int(found[1])})


def _contest(contest: Contest, when: Compiled | None, zone: tzinfo, zone_name: str) -> ContestSpec:
    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)

    score = contest.score
    kind = "count" if score.count else "sum" if score.sum else "points"
    event = score.count or score.event
    plan = None
    if when is not None and event is not None:
        fake = CompiledRule(
            id=contest.id,
            title={},
            event=event,
            when=when.program,
            to="actor",
            to_program=None,
            award=None,
            tiers=(),
            streak_days=None,
            limits=(),
            active_from=None,
            active_until=None,
        )
        plan = _plan((fake,), [0], {(0, "when"): when}, ())
    winners = contest.winners
    mode = "top" if winners.top is not None else "over" if winners.over is not None else "first"
    prizes = tuple(
        PrizeSpec(
            "place" if p.place is not None else "over" if p.over is not None else "first",
            p.place,
            p.over,
            AwardSpec.of(p.award),
        )
        for p in contest.prizes
    )
    definition = contest.model_dump_json(by_alias=True).encode() + zone_name.encode()
    return ContestSpec(
        id=contest.id,
        title=dict(contest.title),
        description=dict(contest.description) if contest.description else None,
        starts=aware(contest.starts),
        ends=aware(contest.ends),
        grace=duration(contest.grace),
        timezone=zone_name,
        participants=contest.participants,
        per_head=contest.per_head,
        score=kind,
        event=event,
        field=score.sum,
        rules=frozenset(score.points_from or ()),
        when_source=score.when,
        plan=plan,
        mode=mode,
        top=winners.top,
        over=winners.over,
        first=winners.first,
        reach=winners.reach,
        prizes=prizes,
        announce=contest.announce,
        digest=hashlib.sha256(definition).hexdigest()[:16],
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
