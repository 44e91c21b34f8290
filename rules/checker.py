"""Meaning checks on a file that has the right shape: every rule must be able to fire.

Returns problems plus the compiled expressions, so loading compiles each once.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import cel

from rules.errors import Problem
from rules.events import COMMON_FIELDS, EVENT_TYPES, PROFILE_FIELDS, REVERSIBLE_BY, matches
from rules.expr import Analysis, ExprSyntaxError, analyse, compile_expr, trial
from rules.model import Award, Contest, PrizeAward, Rule, RulesetFile
from rules.source import Document, Path

SPECIAL_TARGETS = ("actor", "subject")


@dataclass(frozen=True, slots=True)
class Compiled:
    program: cel.Program  # over flat variables: what the engine runs
    analysis: Analysis


@dataclass(slots=True)
class Checked:
    problems: list[Problem] = field(default_factory=list)
    # (rule index, "when" | "to") -> compiled expression
    expressions: dict[tuple[int, str], Compiled] = field(default_factory=dict)
    # contest index -> its compiled `score.when`
    contest_when: dict[int, Compiled] = field(default_factory=dict)


def check(doc: Document, model: RulesetFile, shop_items: Collection[str] | None = None) -> Checked:
    """`shop_items`: the shop's item ids a contest prize may name (None: not checked, as
    when loading a version saved earlier; an item withdrawn since is handled at the close)."""
    out = Checked()
    if model.timezone is not None:
        try:
            zoneinfo.ZoneInfo(model.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            out.problems.append(doc.problem(("timezone",), f"unknown time zone {model.timezone!r}"))
    seen: dict[str, int] = {}
    for index, rule in enumerate(model.rules):
        at: Path = ("rules", index)
        if rule.id in seen:
            out.problems.append(
                doc.problem(
                    (*at, "id"), f"duplicate rule id {rule.id!r} (first at rules[{seen[rule.id]}])"
                )
            )
        seen.setdefault(rule.id, index)
        _check_rule(doc, model, index, rule, out)
    _check_contests(doc, model, out, shop_items)
    _check_tests(doc, model, out)
    return out


def _check_rule(doc: Document, model: RulesetFile, index: int, rule: Rule, out: Checked) -> None:
    at: Path = ("rules", index)
    problem = out.problems.append
    if rule.event not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        problem(doc.problem((*at, "event"), f"unknown event type {rule.event!r} (known: {known})"))
        return
    shapes = [name for name in ("award", "tiers") if getattr(rule, name) is not None]
    if len(shapes) != 1:
        problem(doc.problem(at, f"rule {rule.id!r} needs exactly one of award, tiers"))
    if rule.streak is not None and rule.award is None:
        problem(doc.problem((*at, "streak"), "a streak needs an award (not tiers)"))
    if rule.award is not None:
        _check_award(doc, model, (*at, "award"), rule.award, out)
    if rule.tiers is not None:
        _check_tiers(doc, model, at, rule, out)
    for number, limit in enumerate(rule.limits):
        if limit.max == 0:
            problem(doc.problem((*at, "limits", number, "max"), "max 0: the rule can never fire"))
        if len(set(limit.key)) != len(limit.key):
            problem(doc.problem((*at, "limits", number, "key"), "a key part is repeated"))
    active = rule.active
    if active and active.from_ and active.until and active.until < active.from_:
        problem(
            doc.problem(
                (*at, "active", "until"),
                f"until {active.until} is before from {active.from_}: the rule can never fire",
            )
        )
    if rule.reverse_on is not None:
        _check_reverse_on(doc, at, rule, out)
    if rule.when is not None:
        _check_expression(doc, index, rule, "when", rule.when, out)
    if rule.to not in SPECIAL_TARGETS:
        _check_expression(doc, index, rule, "to", rule.to, out)


def _check_reverse_on(doc: Document, at: Path, rule: Rule, out: Checked) -> None:
    assert rule.reverse_on is not None
    where: Path = (*at, "reverse_on")
    other = rule.reverse_on.event
    if other not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        out.problems.append(
            doc.problem((*where, "event"), f"unknown event type {other!r} (known: {known})")
        )
        return
    link, trouble = reverse_link(rule.event, other, rule.reverse_on.link)
    if link is None:
        named = rule.reverse_on.link is not None
        out.problems.append(
            doc.problem((*where, "link") if named else where, f"reverse_on: {trouble}")
        )
    elif REVERSIBLE_BY.get(other) != link:
        choices = ", ".join(f"{e} (link {f})" for e, f in REVERSIBLE_BY.items())
        out.problems.append(doc.problem(where, f"reverse_on: awards are taken back by {choices}"))


def reverse_link(event: str, other: str, named: str | None) -> tuple[str | None, str]:
    """The field linking an `event` to the `other` event that reverses it, or a problem."""
    if other == event:
        return None, f"{event} cannot reverse its own awards"
    mine, theirs = EVENT_TYPES[event], EVENT_TYPES[other]
    # Optional fields may be null, and a null links nothing.
    shared = sorted(
        name
        for name in set(mine) & set(theirs)
        if mine[name] == theirs[name] and not mine[name].endswith("?")
    )
    if named is not None:
        if named in shared:
            return named, ""
        return None, (
            f"{named!r} is not a field both {event} and {other} carry "
            f"(shared: {', '.join(shared) or 'none'})"
        )
    if not shared:
        return None, f"{event} and {other} share no field to link them"
    if len(shared) > 1:
        return None, (
            f"{event} and {other} share {', '.join(shared)}: name the link, e.g. "
            f"reverse_on: {{event: {other}, link: {shared[0]}}}"
        )
    return shared[0], ""


def _check_award(
    doc: Document,
    model: RulesetFile,
    at: Path,
    award: Award,
    out: Checked,
    shop_items: Collection[str] | None = None,
) -> None:
    item = award.item if isinstance(award, PrizeAward) else None
    if award.points == 0 and award.spins == 0 and award.badge is None and item is None:
        what = (
            "points, spins, badge or item"
            if isinstance(award, PrizeAward)
            else ("points, spins or badge")
        )
        out.problems.append(doc.problem(at, f"the award gives nothing ({what})"))
    if item is not None and shop_items is not None and item not in shop_items:
        known = ", ".join(sorted(shop_items)) or "none"
        out.problems.append(
            doc.problem((*at, "item"), f"no shop item {item!r} (in the shop: {known})")
        )
    if award.badge is not None and award.badge not in model.badges:
        defined = ", ".join(sorted(model.badges)) or "none"
        out.problems.append(
            doc.problem((*at, "badge"), f"undefined badge {award.badge!r} (defined: {defined})")
        )


def _check_tiers(doc: Document, model: RulesetFile, at: Path, rule: Rule, out: Checked) -> None:
    assert rule.tiers is not None
    if not rule.tiers:
        out.problems.append(doc.problem((*at, "tiers"), "tiers is empty"))
    previous = 0
    for number, tier in enumerate(rule.tiers):
        where = (*at, "tiers", number)
        if tier.at <= previous:
            out.problems.append(
                doc.problem(
                    (*where, "at"),
                    f"tiers out of order: at {tier.at} comes after at {previous}",
                )
            )
        previous = max(previous, tier.at)
        _check_award(doc, model, (*where, "award"), tier.award, out)


# What checking one expression found, by (source, event type, slot): an edit in a large
# file recompiles only the expressions it changed. Each finding is (offset into the
# expression, message), or (None, message) for the whole expression.
Finding = tuple[int | None, str]
_EXPRESSIONS: dict[tuple[str, str, str], tuple[tuple[Finding, ...], Compiled | None]] = {}
_EXPRESSIONS_LIMIT = 10_000


def _check_expression(
    doc: Document, index: int, rule: Rule, slot: str, source: str, out: Checked
) -> None:
    where: Path = ("rules", index, slot)
    key = (source, rule.event, slot)
    known = _EXPRESSIONS.get(key)
    if known is None:
        known = _judge_expression(rule.event, slot, source)
        if len(_EXPRESSIONS) >= _EXPRESSIONS_LIMIT:
            _EXPRESSIONS.clear()
        _EXPRESSIONS[key] = known
    findings, compiled = known
    for offset, message in findings:
        if offset is None:
            out.problems.append(doc.problem(where, message))
        else:
            out.problems.append(doc.expression_problem(where, offset, message))
    if compiled is not None:
        out.expressions[(index, slot)] = compiled


def _judge_expression(
    event: str, slot: str, source: str
) -> tuple[tuple[Finding, ...], Compiled | None]:
    try:
        program = compile_expr(source)
    except ExprSyntaxError as exc:
        return ((exc.offset, str(exc)),), None
    analysis = analyse(source, program, event)
    if analysis.problems:
        return tuple(analysis.problems), None
    result, trouble = trial(program, event)
    if trouble is not None:
        return ((None, f"{slot}: {trouble}"),), None
    if slot == "when" and result is not None and not isinstance(result, bool):
        kind = type(result).__name__
        return ((None, f"when must be true or false, not {kind}"),), None
    if slot == "when" and result is False and not program.variables():
        return ((None, "when is always false: the rule can never fire"),), None
    if slot == "to" and result is not None and not isinstance(result, str):
        kind = type(result).__name__
        return ((None, f"to must be actor, subject or give a user id, not {kind}"),), None
    return (), Compiled(compile_expr(analysis.flat_source), analysis)


def _check_contests(
    doc: Document, model: RulesetFile, out: Checked, shop_items: Collection[str] | None
) -> None:
    seen: dict[str, int] = {}
    for index, contest in enumerate(model.contests):
        at: Path = ("contests", index)
        if contest.id in seen:
            out.problems.append(
                doc.problem(
                    (*at, "id"),
                    f"duplicate contest id {contest.id!r} (first at contests[{seen[contest.id]}])",
                )
            )
        seen.setdefault(contest.id, index)
        _check_contest(doc, model, index, contest, out, shop_items)


def _check_contest(
    doc: Document,
    model: RulesetFile,
    index: int,
    contest: Contest,
    out: Checked,
    shop_items: Collection[str] | None,
) -> None:
    at: Path = ("contests", index)
    problem = out.problems.append
    if contest.ends <= contest.starts:
        problem(
            doc.problem(
                (*at, "ends"),
                f"ends {contest.ends.isoformat()} is not after starts "
                f"{contest.starts.isoformat()}: the contest has no time to run",
            )
        )
    if (contest.starts.tzinfo is None) != (contest.ends.tzinfo is None):
        problem(doc.problem((*at, "ends"), "give starts and ends both with a zone or both without"))
    if contest.per_head and contest.participants == "people":
        problem(
            doc.problem(
                (*at, "per_head"),
                "per_head divides a group's score by its head count: "
                "participants must be store, city, region or department",
            )
        )
    score = contest.score
    where: Path = (*at, "score")
    shapes = [k for k in ("count", "sum", "points_from") if getattr(score, k) is not None]
    event_type: str | None = None
    if len(shapes) != 1:
        problem(doc.problem(where, "the score needs exactly one of count, sum, points_from"))
    elif score.count is not None:
        event_type = score.count
        if score.event is not None:
            problem(doc.problem((*where, "event"), "event goes with sum; count names the event"))
        if score.count not in EVENT_TYPES:
            known = ", ".join(sorted(EVENT_TYPES))
            problem(
                doc.problem(
                    (*where, "count"), f"unknown event type {score.count!r} (known: {known})"
                )
            )
            event_type = None
    elif score.sum is not None:
        if score.event is None:
            problem(doc.problem(where, "sum needs event: the event type whose field is summed"))
        elif score.event not in EVENT_TYPES:
            known = ", ".join(sorted(EVENT_TYPES))
            problem(
                doc.problem(
                    (*where, "event"), f"unknown event type {score.event!r} (known: {known})"
                )
            )
        else:
            event_type = score.event
            own = EVENT_TYPES[score.event]
            ints = sorted(n for n, t in own.items() if t == "int")
            if own.get(score.sum) != "int":
                problem(
                    doc.problem(
                        (*where, "sum"),
                        f"{score.event} has no whole-number field {score.sum!r} "
                        f"(whole-number fields: {', '.join(ints) or 'none'})",
                    )
                )
    else:
        assert score.points_from is not None
        known_rules = {rule.id for rule in model.rules}
        if not score.points_from:
            problem(doc.problem((*where, "points_from"), "points_from is empty"))
        for number, rule_id in enumerate(score.points_from):
            if rule_id not in known_rules:
                problem(
                    doc.problem(
                        (*where, "points_from", number),
                        f"unknown rule id {rule_id!r} (rules: {', '.join(sorted(known_rules))})",
                    )
                )
        if score.event is not None:
            problem(doc.problem((*where, "event"), "event goes with sum, not points_from"))
        if score.when is not None:
            problem(
                doc.problem(
                    (*where, "when"),
                    "points_from counts what the rules award; put conditions in the rules",
                )
            )
    if score.when is not None and event_type is not None:
        _check_contest_when(doc, index, event_type, score.when, out)
    _check_winners(doc, model, at, contest, out, shop_items)


def _check_contest_when(
    doc: Document, index: int, event_type: str, source: str, out: Checked
) -> None:
    where: Path = ("contests", index, "score", "when")
    try:
        program = compile_expr(source)
    except ExprSyntaxError as exc:
        out.problems.append(doc.expression_problem(where, exc.offset, str(exc)))
        return
    analysis = analyse(source, program, event_type)
    for offset, message in analysis.problems:
        out.problems.append(doc.expression_problem(where, offset, message))
    if analysis.problems:
        return
    result, trouble = trial(program, event_type)
    if trouble is not None:
        out.problems.append(doc.problem(where, f"when: {trouble}"))
        return
    if result is not None and not isinstance(result, bool):
        kind = type(result).__name__
        out.problems.append(doc.problem(where, f"when must be true or false, not {kind}"))
        return
    out.contest_when[index] = Compiled(compile_expr(analysis.flat_source), analysis)


def _check_winners(
    doc: Document,
    model: RulesetFile,
    at: Path,
    contest: Contest,
    out: Checked,
    shop_items: Collection[str] | None,
) -> None:
    problem = out.problems.append
    winners = contest.winners
    where: Path = (*at, "winners")
    modes = [k for k in ("top", "over", "first") if getattr(winners, k) is not None]
    if len(modes) != 1:
        problem(doc.problem(where, "winners needs exactly one of top, over, first (with reach)"))
        return
    mode = modes[0]
    if mode == "first" and winners.reach is None:
        problem(doc.problem(where, "first: N needs reach: the score to reach"))
    if mode != "first" and winners.reach is not None:
        problem(doc.problem((*where, "reach"), "reach goes with first"))
    for number, prize in enumerate(contest.prizes):
        place: Path = (*at, "prizes", number)
        kinds = [k for k in ("place", "over", "winners") if getattr(prize, k) is not None]
        if len(kinds) != 1:
            problem(doc.problem(place, "a prize needs exactly one of place, over, winners"))
        if prize.winners is False:
            problem(doc.problem((*place, "winners"), "winners: false gives the prize to nobody"))
        if prize.place is not None:
            if mode == "over":
                problem(
                    doc.problem(
                        (*place, "place"),
                        "winners over a score have no places: use winners: true or over",
                    )
                )
            elif mode == "top" and winners.top is not None and prize.place > winners.top:
                problem(
                    doc.problem(
                        (*place, "place"),
                        f"a prize for place {prize.place}, but the winners are the top "
                        f"{winners.top}",
                    )
                )
            elif mode == "first" and winners.first is not None and prize.place > winners.first:
                problem(
                    doc.problem(
                        (*place, "place"),
                        f"a prize for place {prize.place}, but the winners are the first "
                        f"{winners.first}",
                    )
                )
        _check_award(doc, model, (*place, "award"), prize.award, out, shop_items)


def _check_tests(doc: Document, model: RulesetFile, out: Checked) -> None:
    known_badges = set(model.badges)
    contests = {c.id for c in model.contests}
    for number, case in enumerate(model.tests):
        at: Path = ("tests", number)
        for contest_id in case.standings:
            if contest_id not in contests:
                out.problems.append(
                    doc.problem(
                        (*at, "standings", contest_id),
                        f"unknown contest {contest_id!r} (contests: "
                        f"{', '.join(sorted(contests)) or 'none'})",
                        key=True,
                    )
                )
        for item, event in enumerate(case.events):
            out.problems.extend(_check_test_event(doc, (*at, "events", item), event))
        for user, users_fields in case.users.items():
            for name in users_fields:
                if name not in PROFILE_FIELDS:
                    out.problems.append(
                        doc.problem(
                            (*at, "users", user, name), f"unknown profile field {name!r}", key=True
                        )
                    )
        for user, expect in case.expect.items():
            for position, badge in enumerate(expect.badges or []):
                if badge not in known_badges:
                    out.problems.append(
                        doc.problem(
                            (*at, "expect", user, "badges", position),
                            f"undefined badge {badge!r}",
                        )
                    )


_TEST_ONLY = {"repeat": "int", "every": "str"}
_EVERY = re.compile(r"^\d+\s*[dhms]$")


def _check_test_event(doc: Document, at: Path, event: dict[str, Any]) -> list[Problem]:
    type_ = event.get("type")
    if not isinstance(type_, str) or type_ not in EVENT_TYPES:
        where = (*at, "type") if "type" in event else at
        return [doc.problem(where, f"unknown event type {type_!r}")]
    declared = {**COMMON_FIELDS, **EVENT_TYPES[type_], **_TEST_ONLY}
    problems = []
    for name, value in event.items():
        if name not in declared:
            allowed = ", ".join(sorted(declared))
            problems.append(
                doc.problem(
                    (*at, name), f"{type_} has no field {name!r} (allowed: {allowed})", key=True
                )
            )
        elif name == "at":
            if not _is_time(value):
                problems.append(doc.problem((*at, name), "at must be a time with a zone"))
        elif name == "id" and not isinstance(value, str):
            problems.append(doc.problem((*at, name), "id must be str"))
        elif name == "repeat" and not (isinstance(value, int) and 1 <= value <= 10_000):
            problems.append(doc.problem((*at, name), "repeat must be a whole number 1..10000"))
        elif name == "every" and not (isinstance(value, str) and _EVERY.match(value)):
            problems.append(doc.problem((*at, name), "every must be like 1d, 2h, 30m or 10s"))
        elif name in ("repeat", "every"):
            pass
        elif name != "id" and not matches(declared[name], value):
            problems.append(doc.problem((*at, name), f"{name} must be {declared[name]}"))
    for name in ("actor", "at"):
        if name not in event:
            problems.append(doc.problem(at, f"test event needs {name!r}"))
    return problems


def _is_time(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return False
    return isinstance(value, datetime) and value.tzinfo is not None
