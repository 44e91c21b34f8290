from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import Event, judge
from rules.errors import EventInvalid
from rules.replay import replay_events, replay_file
from rules.state import MemoryState
from rules.windows import window_label
from tests.rules.support import load

RULES = load("""\
    - id: quality_post
      event: post.created
      when: event.body_length >= 80
      award: {points: 10}
      limits: [{max: 3, per: day}]
    - id: kudos_received
      event: kudos.given
      to: event.recipient_id
      award: {points: 5}
      limits: [{max: 2, per: week, key: [beneficiary, actor]}, {max: 3, per: month}]
    - id: commenter
      event: comment.created
      tiers:
        - {at: 2, award: {badge: bronze}}
        - {at: 5, award: {badge: gold, spins: 1}}
    - id: streak
      event: user.daily_login
      streak: {days: 3}
      award: {spins: 1}
    """)
START = datetime.fromisoformat("2026-03-01T00:00:00+03:00")
USERS = ["u1", "u2", "u3"]


@st.composite
def events(draw: st.DrawFn, max_size: int = 40) -> list[Event]:
    count = draw(st.integers(0, max_size))
    out = []
    for number in range(count):
        kind = draw(
            st.sampled_from(["post.created", "kudos.given", "comment.created", "user.daily_login"])
        )
        actor = draw(st.sampled_from(USERS))
        # Few distinct times, so many events share one.
        at = START + timedelta(hours=draw(st.integers(0, 24 * 40)) // 7 * 7)
        fields: dict[str, object] = {}
        if kind == "post.created":
            fields["body_length"] = draw(st.integers(0, 200))
        if kind == "kudos.given":
            fields["recipient_id"] = draw(st.sampled_from(USERS))
        out.append(Event(f"e{number:04d}", kind, actor, at, None, fields))
    return out


@settings(max_examples=60, deadline=None)
@given(events(), st.randoms(use_true_random=False))
def test_order_of_equal_time_events_does_not_change_totals(
    items: list[Event], rng: random.Random
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    assert replay_events(RULES, shuffled).as_dict() == replay_events(RULES, items).as_dict()


@settings(max_examples=60, deadline=None)
@given(events(max_size=80))
def test_a_limit_is_never_exceeded_in_any_window(items: list[Event]) -> None:
    state = MemoryState()
    awards: Counter[tuple[str, ...]] = Counter()
    tz = RULES.timezone
    for item in sorted(items, key=Event.sort_key):
        for decision in judge(RULES, item, state):
            if decision.kind != "points":
                continue
            day = item.at.astimezone(tz).date()
            rule = RULES.rule(decision.rule_id)
            for limit in rule.limits:
                parts = {"beneficiary": decision.beneficiary, "actor": item.actor}
                key = (rule.id, window_label(limit.per, day), *(parts[k] for k in limit.key))
                awards[key] += 1
                assert awards[key] <= limit.max, key


@settings(max_examples=40, deadline=None)
@given(events())
def test_replay_is_deterministic(items: list[Event]) -> None:
    first = MemoryState()
    second = MemoryState()
    ordered = sorted(items, key=Event.sort_key)
    one = [d for e in ordered for d in judge(RULES, e, first)]
    two = [d for e in list(ordered) for d in judge(RULES, e, second)]
    assert one == two
    assert [d.id for d in one] == [d.id for d in two]
    assert replay_events(RULES, items).as_dict() == replay_events(RULES, items).as_dict()


def test_totals_count_users_and_rule_awards() -> None:
    items = [
        Event(f"p{n}", "post.created", "u1", START, None, {"body_length": 100}) for n in range(4)
    ]
    items += [Event(f"c{n}", "comment.created", "u2", START, None, {}) for n in range(5)]
    assert replay_events(RULES, items).as_dict() == {
        "users": {
            "u1": {"points": 30, "spins": 0, "badges": []},
            "u2": {"points": 0, "spins": 1, "badges": ["bronze", "gold"]},
        },
        "rules": {"commenter": 2, "quality_post": 3},
    }


def write_lines(path: object, rows: list[dict[str, object]]) -> None:
    with open(str(path), "wb") as handle:
        for row in rows:
            handle.write(orjson.dumps(row) + b"\n")


def test_replay_file_sorts_and_reads_profiles(tmp_path: object) -> None:
    rules = load("""\
        - id: hq_posts
          event: post.created
          when: actor.city == "Moscow"
          award: {points: 1}
          limits: [{max: 1, per: day}]
        """)
    events_path = f"{tmp_path}/events.jsonl"
    users_path = f"{tmp_path}/users.jsonl"
    # Out of order on purpose: the second line is the earliest, so it is the one
    # that counts against the daily limit.
    write_lines(
        events_path,
        [
            {"id": "b", "type": "post.created", "actor": "u1", "at": "2026-03-03T12:00:00+03:00"},
            {"id": "a", "type": "post.created", "actor": "u1", "at": "2026-03-03T08:00:00+03:00"},
            {"id": "c", "type": "post.created", "actor": "u2", "at": "2026-03-03T08:00:00+03:00"},
        ],
    )
    write_lines(users_path, [{"id": "u1", "city": "Moscow"}, {"id": "u2", "city": "Kazan"}])
    totals = replay_file(rules, events_path, users_path)
    assert totals.as_dict() == {
        "users": {"u1": {"points": 1, "spins": 0, "badges": []}},
        "rules": {"hq_posts": 1},
    }


def test_replay_file_rejects_an_event_without_a_zone(tmp_path: object) -> None:
    path = f"{tmp_path}/events.jsonl"
    write_lines(
        path, [{"id": "a", "type": "post.created", "actor": "u1", "at": "2026-03-03T08:00:00"}]
    )
    with pytest.raises(EventInvalid, match="time zone"):
        replay_file(RULES, path)


def test_replay_file_of_an_empty_file(tmp_path: object) -> None:
    path = f"{tmp_path}/events.jsonl"
    write_lines(path, [])
    assert replay_file(RULES, path).as_dict() == {"users": {}, "rules": {}}


def test_totals_count_reversals_apart_from_awards() -> None:
    rules = load("""\
        - id: quality_post
          event: post.created
          award: {points: 10}
          reverse_on: post.deleted
        """)
    items = [
        Event("a", "post.created", "u1", START, None, {"post_id": "p1"}),
        Event("b", "post.created", "u1", START, None, {"post_id": "p2"}),
        Event("c", "post.deleted", "u2", START + timedelta(hours=1), None, {"post_id": "p1"}),
    ]
    assert replay_events(rules, items).as_dict() == {
        "users": {"u1": {"points": 10, "spins": 0, "badges": []}},
        "rules": {"quality_post": 2},
        "reversals": {"quality_post": 1},
    }
