"""Standings equal a brute-force computation for any arrival order, late events within the
grace included and late ones after it excluded; ties go to whoever reached the score first."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.standings import Contribution, prize_slots, standings

T0 = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    starts: datetime = T0
    ends: datetime = T0 + timedelta(days=10)
    grace: timedelta = timedelta(days=2)
    participants: str = "people"
    per_head: bool = False
    mode: str = "top"
    top: int | None = 3
    over: float | None = None
    first: int | None = None
    reach: float | None = None

    @property
    def final_at(self) -> datetime:
        return self.ends + self.grace


@dataclass(frozen=True)
class P:
    for_: str
    place: int | None = None
    over: float | None = None


def brute(spec: Spec, items: list[Contribution], groups: dict[str, str], heads: dict[str, int]):
    """Replays the events in time order, one participant at a time."""
    unique = {c.key: c for c in reversed(items)}.values()  # the same key counts once
    counted = [
        c
        for c in unique
        if spec.starts <= c.at < spec.ends and (c.arrived is None or c.arrived <= spec.final_at)
    ]
    who_of = (lambda p: p) if spec.participants == "people" else groups.get
    result = {}
    for who in {who_of(c.person) for c in counted} - {None}:
        mine = sorted((c for c in counted if who_of(c.person) == who), key=lambda c: c.at)
        total, reached, first_reach = 0.0, None, None
        h = heads.get(who) if spec.participants != "people" else None
        for c in mine:
            total += c.amount
            if c.amount:
                reached = c.at
            score = round(total / h, 6) if spec.per_head else round(total, 6)
            if spec.reach is not None and first_reach is None and score >= spec.reach:
                first_reach = c.at
        score = (
            round(total / h, 6)
            if spec.per_head and h
            else (0.0 if spec.per_head else round(total, 6))
        )
        result[who] = (score, reached, first_reach)
    order = sorted(
        result, key=lambda w: (-result[w][0], result[w][1] or datetime.max.replace(tzinfo=UTC), w)
    )
    if spec.mode == "top":
        won = [w for w in order[: spec.top] if result[w][0] > 0]
    elif spec.mode == "over":
        won = [w for w in order if result[w][0] >= spec.over and result[w][0] > 0]
    else:
        reached = [w for w in result if result[w][2] is not None]
        won = sorted(reached, key=lambda w: (result[w][2], w))[: spec.first]
    return [(w, result[w][0], w in won) for w in order], won


moments = st.integers(min_value=-3 * 24, max_value=14 * 24).map(lambda h: T0 + timedelta(hours=h))
contribution = st.builds(
    lambda key, person, amount, at, late: Contribution(
        f"e{key}", f"u{person}", float(amount), at, at + timedelta(hours=late) if late else None
    ),
    st.integers(0, 60),
    st.integers(0, 7),
    st.integers(1, 5),
    moments,
    st.sampled_from([0, 0, 1, 30, 24 * 5, 24 * 20]),
)
specs = st.sampled_from(
    [
        Spec(),
        Spec(mode="over", top=None, over=4.0),
        Spec(mode="first", top=None, first=2, reach=5.0),
        Spec(participants="store"),
        Spec(participants="store", per_head=True),
        Spec(participants="store", per_head=True, mode="first", top=None, first=1, reach=3.0),
    ]
)


@settings(max_examples=300, deadline=None)
@given(specs, st.lists(contribution, max_size=40), st.randoms(use_true_random=False))
def test_standings_equal_brute_force_in_any_order(spec: Spec, items, rnd: random.Random) -> None:
    groups = {f"u{i}": f"s{i % 3}" for i in range(7)}  # u7 has no store
    heads = {"s0": 3, "s1": 2, "s2": 2}
    # A key is one event: every copy of it carries the same data (redelivery).
    first_of = {}
    for c in items:
        first_of.setdefault(c.key, c)
    items = [first_of[c.key] for c in items]
    rows = standings(spec, items, groups, heads)
    expected, won = brute(spec, items, groups, heads)
    assert [(r.participant, r.score, r.winner) for r in rows] == expected
    assert sorted(r.participant for r in rows if r.winner_rank) == sorted(won)
    if spec.mode == "first":
        assert [
            r.participant for r in sorted(rows, key=lambda r: r.winner_rank or 99) if r.winner
        ] == won
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert standings(spec, shuffled, groups, heads) == rows
    # Ties are marked and ranked by who reached the score first.
    for a, b in pairwise(rows):
        if a.score == b.score:
            assert a.tie and b.tie
            assert (a.reached_at, a.participant) <= (b.reached_at, b.participant)


def test_a_tie_goes_to_whoever_reached_the_score_first_and_says_so() -> None:
    items = [
        Contribution("a1", "ann", 2, T0 + timedelta(hours=5)),
        Contribution("b1", "bob", 1, T0 + timedelta(hours=1)),
        Contribution("b2", "bob", 1, T0 + timedelta(hours=2)),
        Contribution("c1", "cat", 1, T0 + timedelta(hours=3)),
    ]
    rows = standings(Spec(top=1), items)
    assert [(r.participant, r.place, r.tie, r.winner) for r in rows] == [
        ("bob", 1, True, True),
        ("ann", 2, True, False),
        ("cat", 3, False, False),
    ]
    slots = prize_slots(rows, [P("place", place=1), P("over", over=1.0)])
    assert [(s.prize, s.participant) for s in slots] == [
        (0, "bob"),
        (1, "bob"),
        (1, "ann"),
        (1, "cat"),
    ]


def test_late_events_count_within_the_grace_and_never_after_or_outside_the_window() -> None:
    spec = Spec()
    items = [
        Contribution("in", "ann", 1, spec.ends - timedelta(minutes=1), spec.final_at),
        Contribution(
            "late", "bob", 1, spec.ends - timedelta(minutes=1), spec.final_at + timedelta(seconds=1)
        ),
        Contribution("after", "cat", 1, spec.ends, None),
        Contribution("before", "dan", 1, spec.starts - timedelta(seconds=1), None),
    ]
    assert [r.participant for r in standings(spec, items)] == ["ann"]
