"""Benchmark of the rules engine: prints figures, asserts nothing.

    python -m bench.rules            # 200 rules, 20 event types, 50,000 users, 1,000,000 events
    python -m bench.rules --quick    # 10,000 events, a few seconds

Prints events/s of the engine, of a bare loop that only reads each event and looks
up its rules (the floor), of the same conditions evaluated by the pure-Python
`rule-engine` package and by the engine alone (like for like), and the time
`plaza rules replay` takes on a JSON-lines file. Ratios use CPU time.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/rules.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import rule_engine

from rules.engine import Event, conditions, judge
from rules.events import EVENT_TYPES, enum_values
from rules.replay import paused_gc, replay_file
from rules.ruleset import Ruleset, load_ruleset
from rules.state import MemoryState

SEED = 20260303
RULES = 200
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
DAYS = 60
DEPARTMENTS = [f"d{i}" for i in range(20)]
REGIONS = [f"r{i}" for i in range(8)]
ROLES = ["staff", "manager", "lead", "intern"]
# Who an event is about, when its type names such a user.
SUBJECT_FIELD = {
    "comment.created": "post_author_id",
    "reaction.added": "post_author_id",
    "reaction.removed": "post_author_id",
    "post.viewed": "post_author_id",
    "post.shared": "post_author_id",
    "kudos.given": "recipient_id",
    "story.viewed": "story_author_id",
}
TYPES = sorted(EVENT_TYPES)[:20]


def clause(rng: random.Random, event_type: str) -> tuple[str, str]:
    """One comparison as (CEL, rule-engine) source.

    rule-engine gets item syntax (`event['x']`): its attribute syntax on mappings
    is ~8x slower, and the comparison should be with its fastest form.
    """
    fields = EVENT_TYPES[event_type]
    ints = [n for n, t in fields.items() if t == "int"]
    bools = [n for n, t in fields.items() if t == "bool"]
    enums = [n for n, t in fields.items() if enum_values(t)]
    pick = rng.random()
    if ints and pick < 0.35:
        name, bound = rng.choice(ints), rng.randrange(50, 450)
        return f"event.{name} >= {bound}", f"event['{name}'] >= {bound}"
    if bools and pick < 0.45:
        name = rng.choice(bools)
        return f"event.{name} == true", f"event['{name}'] == true"
    if enums and pick < 0.6:
        name = rng.choice(enums)
        value = rng.choice(enum_values(fields[name]) or ("",))
        return f'event.{name} == "{value}"', f"event['{name}'] == '{value}'"
    if pick < 0.75:
        value = rng.choice(REGIONS)
        return f'actor.region != "{value}"', f"actor['region'] != '{value}'"
    if pick < 0.85:
        return "event.hour >= 8 && event.hour < 20", "event['hour'] >= 8 and event['hour'] < 20"
    value = rng.choice(DEPARTMENTS[:10])
    return f'actor.department == "{value}"', f"actor['department'] == '{value}'"


def make_rules(rng: random.Random) -> tuple[str, dict[str, list[str]]]:
    """A ruleset (YAML text) and, per event type, its conditions for rule-engine."""
    lines = ["version: 1", "timezone: Europe/Moscow", "badges:"]
    lines += [f"  b{i}: {{title: {{en: B{i}}}}}" for i in range(RULES)]
    lines.append("rules:")
    other: dict[str, list[str]] = {t: [] for t in TYPES}
    for number in range(RULES):
        event_type = TYPES[number % len(TYPES)]
        parts = [clause(rng, event_type) for _ in range(rng.choice((1, 2, 2, 3)))]
        cel = " && ".join(p[0] for p in parts)
        other[event_type].append(" and ".join(p[1] for p in parts))
        lines += [f"  - id: r{number}", f"    event: {event_type}", f"    when: '{cel}'"]
        if rng.random() < 0.25:
            # A campaign: two weeks somewhere in the generated period.
            first = START.date() + timedelta(days=rng.randrange(DAYS - 14))
            lines.append(f"    active: {{from: {first}, until: {first + timedelta(days=13)}}}")
        shape = rng.random()
        if event_type in SUBJECT_FIELD and shape < 0.3:
            lines += ["    to: subject", "    award: {points: 2}"]
            lines.append("    limits: [{max: 1, per: day, key: [beneficiary, actor]}]")
        elif shape < 0.45:
            lines.append(
                f"    tiers: [{{at: 5, award: {{badge: b{number}}}}}, "
                "{at: 20, award: {spins: 1}}]"
            )
        elif shape < 0.5 and event_type == "user.daily_login":
            lines += ["    streak: {days: 7}", "    award: {spins: 1}"]
        else:
            per = rng.choice(("day", "week", "month"))
            lines += ["    award: {points: 5}", f"    limits: [{{max: 3, per: {per}}}]"]
    return "\n".join(lines) + "\n", other


def make_users(rng: random.Random, count: int) -> dict[str, dict[str, Any]]:
    return {
        f"u{i}": {
            "id": f"u{i}",
            "department": rng.choice(DEPARTMENTS),
            "region": rng.choice(REGIONS),
            "role": rng.choice(ROLES),
            "store": f"s{rng.randrange(500)}",
            "city": f"c{rng.randrange(100)}",
        }
        for i in range(count)
    }


def _value(rng: random.Random, type_: str) -> Any:
    if type_.endswith("?") and rng.random() < 0.5:
        return None
    base = type_.removesuffix("?")
    choices = enum_values(base)
    if choices:
        return rng.choice(choices)
    if base == "int":
        return rng.randrange(0, 500)
    if base == "bool":
        return rng.random() < 0.5
    return f"x{rng.randrange(100_000)}"


def make_events(rng: random.Random, count: int, users: int) -> list[dict[str, Any]]:
    span = DAYS * 86_400
    seconds = sorted(rng.randrange(span) for _ in range(count))
    rows = []
    for number, offset in enumerate(seconds):
        event_type = rng.choice(TYPES)
        # Skewed activity: a few people do much of the posting, as in any community.
        actor = f"u{int(rng.random() ** 2 * users)}"
        row: dict[str, Any] = {
            "id": f"e{number:08d}",
            "type": event_type,
            "actor": actor,
            "at": (START + timedelta(seconds=offset)).isoformat(),
        }
        for name, type_ in EVENT_TYPES[event_type].items():
            row[name] = _value(rng, type_)
        if event_type in SUBJECT_FIELD:
            subject = f"u{rng.randrange(users)}"
            row[SUBJECT_FIELD[event_type]] = subject
            row["subject"] = subject
        rows.append(row)
    return rows


def timed(label: str, count: int, run: Callable[[], object]) -> float:
    """Prints events/s by the clock and by this process's CPU time; returns the latter.

    On a shared machine other processes take the CPU away now and then, which the
    clock counts and CPU time does not, so ratios between runs use CPU time.
    """
    started, cpu = time.perf_counter(), time.process_time()
    run()
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label:<44} {count / elapsed:>10,.0f} events/s  "
        f"({count:,} in {elapsed:.2f} s; {count / used:,.0f}/s by CPU time)"
    )
    return count / used


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10,000 events: a smoke run")
    args = parser.parse_args(argv)
    events_count = 10_000 if args.quick else 1_000_000
    users_count = 2_500 if args.quick else 50_000
    rng = random.Random(SEED)

    started = time.perf_counter()
    text, other_conditions = make_rules(rng)
    ruleset = load_ruleset(text, "bench.yaml")
    users = make_users(rng, users_count)
    rows = make_events(rng, events_count, users_count)
    events = [Event.from_mapping(row) for row in rows]
    print(
        f"{len(ruleset.rules)} rules over {len(ruleset.plans)} event types, "
        f"{users_count:,} users, {events_count:,} events "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )

    floor = timed(
        "floor: read each event, look up its rules", events_count, lambda: _floor(ruleset, events)
    )
    awards: list[int] = []
    collections = _collections()
    engine = timed(
        "engine: judge() with MemoryState",
        events_count,
        lambda: awards.append(_engine(ruleset, events, users)),
    )
    collections = [
        after - before for after, before in zip(_collections(), collections, strict=True)
    ]
    batch = timed(
        "engine, GC paused as replay does",
        events_count,
        lambda: _paused(lambda: _engine(ruleset, events, users)),
    )
    print(
        f"  {awards[0]:,} decisions, {awards[0] / events_count:.2f} per event; "
        f"floor / engine = {floor / engine:.1f}x (GC on), {floor / batch:.1f}x (GC paused); "
        f"GC collections while on, by generation: {collections}"
    )

    # Like for like: rule-engine only evaluates conditions, so the engine is also
    # timed evaluating only its conditions (binding, one CEL call per event), on
    # the same events; both must find the same number of matching conditions.
    subset = events[: max(2_000, events_count // 20)]
    compiled = _rule_engine_rules(other_conditions)
    matched: dict[str, int] = {}
    other = timed(
        "rule-engine: conditions only, item syntax",
        len(subset),
        lambda: matched.update(other=_rule_engine(compiled, subset, users)),
    )
    mine = timed(
        "engine: conditions only, same events",
        len(subset),
        lambda: matched.update(mine=_conditions(ruleset, subset, users)),
    )
    other_batch = timed(
        "rule-engine: conditions only, GC paused",
        len(subset),
        lambda: _paused(lambda: _rule_engine(compiled, subset, users)),
    )
    mine_batch = timed(
        "engine: conditions only, GC paused",
        len(subset),
        lambda: _paused(lambda: _conditions(ruleset, subset, users)),
    )
    agree = "the same" if matched["mine"] == matched["other"] else "DIFFERENT"
    print(
        f"  conditions only: engine / rule-engine = {mine / other:.1f}x (GC on), "
        f"{mine_batch / other_batch:.1f}x (GC paused); first {len(subset):,} events, "
        f"{matched['mine']:,} vs {matched['other']:,} conditions held ({agree})"
    )
    print(
        f"  whole engine (conditions, limits, tiers, streaks, badges, decisions) / "
        f"rule-engine conditions only = {engine / other:.1f}x (GC on), "
        f"{batch / other_batch:.1f}x (GC paused)"
    )

    with tempfile.TemporaryDirectory() as folder:
        events_path = Path(folder) / "events.jsonl"
        users_path = Path(folder) / "users.jsonl"
        events_path.write_bytes(b"\n".join(orjson.dumps(row) for row in rows) + b"\n")
        users_path.write_bytes(b"\n".join(orjson.dumps(u) for u in users.values()) + b"\n")
        began, cpu = time.perf_counter(), time.process_time()
        totals = replay_file(ruleset, events_path, users_path)
        took, used = time.perf_counter() - began, time.process_time() - cpu
        print(
            f"replay_file (plaza rules replay) of {events_count:,} events: {took:.1f} s "
            f"({used:.1f} s of CPU time), {events_count / took:,.0f} events/s, "
            f"{sum(totals.points.values()):,} points"
        )


def _collections() -> list[int]:
    return [generation["collections"] for generation in gc.get_stats()]


def _paused(run: Callable[[], object]) -> None:
    with paused_gc():
        run()


def _floor(ruleset: Ruleset, events: list[Event]) -> int:
    seen = 0
    plans = ruleset.plans
    for event in events:
        plan = plans.get(event.type)
        if plan is not None:
            for rule in plan.rules:
                seen += rule.when is not None
    return seen


def _engine(ruleset: Ruleset, events: list[Event], users: dict[str, dict[str, Any]]) -> int:
    state = MemoryState()
    decisions = 0
    get = users.get
    for event in events:
        subject = get(event.subject) if event.subject is not None else None
        decisions += len(judge(ruleset, event, state, actor=get(event.actor), subject=subject))
    return decisions


def _conditions(ruleset: Ruleset, events: list[Event], users: dict[str, dict[str, Any]]) -> int:
    held = 0
    get = users.get
    for event in events:
        subject = get(event.subject) if event.subject is not None else None
        held += sum(conditions(ruleset, event, actor=get(event.actor), subject=subject))
    return held


def _rule_engine_rules(conditions: dict[str, list[str]]) -> dict[str, list[rule_engine.Rule]]:
    context = rule_engine.Context(resolver=rule_engine.resolve_item)
    return {t: [rule_engine.Rule(c, context=context) for c in cs] for t, cs in conditions.items()}


def _rule_engine(
    compiled: dict[str, list[rule_engine.Rule]],
    events: list[Event],
    users: dict[str, dict[str, Any]],
) -> int:
    matched = 0
    for event in events:
        local = event.at.astimezone(UTC)
        thing = {
            "event": {**event.fields, "hour": (local.hour + 3) % 24},
            "actor": users.get(event.actor, {}),
        }
        for rule in compiled.get(event.type, ()):
            matched += rule.matches(thing)
    return matched


if __name__ == "__main__":
    main()
